/**
 * The OpenAPI 3.0 document of an app's registered routes. The generator
 * writes an unconstrained schema (any JSON: trigger data, a response body)
 * as `{ nullable: true }`, which 3.0 does not allow without a `type`; such a
 * schema already admits null, so the flag is dropped.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env } from 'hono';

export const OPENAPI_INFO = {
  openapi: '3.0.3',
  info: {
    title: 'Baton API',
    version: '1.0.0',
    description: 'Start, watch, cancel and rerun workflow runs, read their output; pause, resume and trigger schedules.',
  },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
};

function dropTypelessNullable(value: unknown): void {
  const stack = [value];
  while (stack.length > 0) {
    const current = stack.pop();
    if (current === null || typeof current !== 'object') continue;
    const record = current as Record<string, unknown>;
    if (!Array.isArray(current) && record.nullable !== undefined && record.type === undefined && record.$ref === undefined) delete record.nullable;
    stack.push(...Object.values(record));
  }
}

export function documentOf<E extends Env>(app: OpenAPIHono<E>) {
  const document = app.getOpenAPIDocument(OPENAPI_INFO);
  dropTypelessNullable(document);
  return document;
}
