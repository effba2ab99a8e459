/**
 * The stage's resources (DESIGN §5): named databases and HTTP APIs that query
 * and http blocks use, from BATON_RESOURCES (a YAML/JSON file path, or inline
 * JSON). `{{ secret:NAME }}` placeholders stay unresolved here: only the
 * db-connector resolves them.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { Env } from './config.ts';

const sqlResource = {
  url: z.string().min(1),
  /** Most connections the pool of one executor container opens. */
  poolSize: z.int().min(1).max(100).default(4),
  ssl: z
    .union([
      z.boolean(),
      z.strictObject({ rejectUnauthorized: z.boolean().default(true), ca: z.string().optional() }),
    ])
    .optional(),
};

export const resourceSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('postgres'), ...sqlResource }),
  z.strictObject({ type: z.literal('mysql'), ...sqlResource }),
  z.strictObject({
    type: z.literal('http'),
    baseUrl: z.string().min(1),
    headers: z.record(z.string(), z.string()).default({}),
    timeoutMs: z.int().min(1).max(900_000).optional(),
  }),
]);
export type Resource = z.infer<typeof resourceSchema>;
export type Resources = Readonly<Record<string, Resource>>;

export function parseResources(env: Env): Resources {
  const setting = env.BATON_RESOURCES?.trim();
  if (!setting) return {};
  let raw: unknown;
  try {
    raw = setting.startsWith('{') ? JSON.parse(setting) : parse(readFileSync(setting, 'utf8'));
  } catch (error) {
    throw new ConfigError('BATON_RESOURCES', `cannot read resources: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), resourceSchema).safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('BATON_RESOURCES', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}
