/**
 * Env settings as zod schemas. Each process (worker, executors, API, codec
 * server) declares every setting it reads in one `z.object` of these and
 * parses it once at start-up with `parseEnv`, so a bad setting stops the
 * process with one line naming it (`ConfigError`), and the schema is the list
 * of what the process reads.
 *
 * Every value arrives as a string or undefined; a blank value counts as
 * unset, so `FOO=` in a .env file means the default. Values of settings whose
 * name says secret are never echoed in an error.
 */
import { z } from 'zod';
import { ConfigError } from '../errors/index.ts';

export type Env = Record<string, string | undefined>;

const SECRET_NAME = /(^|_)(KEYS?|TOKENS?|PASSWORD|SECRET)(_|$)/;

/** Trimmed text; blank is unset. */
const unsetIfBlank = (value: unknown) => (typeof value === 'string' ? value.trim() || undefined : value);

/** Any schema for a set value; blank or missing is undefined. */
export function envSetting<T extends z.ZodType>(schema: T) {
  return z.preprocess(unsetIfBlank, schema.optional());
}

export function envText() {
  return z.preprocess(unsetIfBlank, z.string().optional());
}

/** Text that must match `pattern`; `what` says what it must be, for the error. */
export function envMatching(pattern: RegExp, what: string) {
  return z.preprocess(unsetIfBlank, z.string().regex(pattern, { message: `must be ${what}` }).optional());
}

export function envWholeNumber(min: number, max: number, what = `must be a whole number from ${min} to ${max}`) {
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .regex(/^-?\d+$/, { message: what })
      .transform(Number)
      .pipe(z.number().int().min(min, { message: what }).max(max, { message: what }))
      .optional(),
  );
}

export function envPort() {
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .regex(/^\d{1,5}$/, { message: 'must be a port number' })
      .transform(Number)
      .pipe(z.number().max(65535, { message: 'must be a port number' }))
      .optional(),
  );
}

export function envOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(unsetIfBlank, z.enum(values, { message: `must be one of ${values.join(', ')}` }).optional());
}

/** A rate: `<count>/<unit>` with unit s, m or h (`10/s`, `600/m`, `1000/h`). */
export interface Rate {
  readonly count: number;
  readonly perMs: number;
}

const RATE_UNITS_MS = { s: 1000, m: 60_000, h: 3_600_000 } as const;

export function envRate(maxCount = 1_000_000) {
  const what = `must be a rate like 10/s, 600/m or 1000/h (a whole number from 1 to ${maxCount}, then /s, /m or /h)`;
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .regex(/^\d{1,7}\/[smh]$/, { message: what })
      .transform((text): Rate => {
        const [count, unit] = text.split('/') as [string, keyof typeof RATE_UNITS_MS];
        return { count: Number(count), perMs: RATE_UNITS_MS[unit] };
      })
      .refine((rate) => rate.count >= 1 && rate.count <= maxCount, { message: what })
      .optional(),
  );
}

/** An http(s) URL, without trailing slashes. */
export function envHttpUrl() {
  return z.preprocess(
    unsetIfBlank,
    z
      .string()
      .refine(
        (value) => {
          try {
            return ['http:', 'https:'].includes(new URL(value).protocol);
          } catch {
            return false;
          }
        },
        { message: 'must be an http(s) URL' },
      )
      .transform((value) => value.replace(/\/+$/, ''))
      .optional(),
  );
}

/**
 * Parses `env` with a process's schema. Parsers that throw a ConfigError of
 * their own (the key ring, resources) keep their message; zod's first issue
 * becomes `NAME: must be …, got "value"`.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const name = String(issue.path[0] ?? 'environment');
  const value = env[name]?.trim();
  const got = value === undefined || SECRET_NAME.test(name) ? '' : `, got "${value}"`;
  throw new ConfigError(name, `${issue.message}${got}`);
}
