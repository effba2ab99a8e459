/**
 * Temporal's codec server protocol for the Web UI and the CLI: `POST /encode`
 * and `POST /decode`, each taking and answering `{ payloads: [...] }` with
 * metadata values and data in base64 (protobuf JSON). One Hono app, served
 * by the Lambda handler in AWS and by local/codec-server.ts locally.
 *
 * It decrypts everything the deployment sealed, so every call needs a bearer
 * token, and browsers may call only from the configured UI origins. A UI that
 * cannot send an Authorization header (the local dev UI; a Cloud UI that does
 * not pass its own token) puts the token in the endpoint's path instead:
 * `https://codec.example/token/<token>`, which the UI calls as `.../token/<token>/decode`.
 */
import type { Payload } from '@temporalio/common';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { bearerToken } from '../../shared/auth/api-keys.ts';
import { errorMessage, HttpError } from '../../shared/errors/index.ts';
import { answerFor } from '../http/error-mapping.ts';
import { readJsonBody } from '../http/json-body.ts';
import { allowedMethods } from '../http/method-not-allowed.ts';
import type { CodecServerDeps } from './settings.ts';
import { errorLogFields, processLogger } from '../../shared/log/index.ts';

const logger = processLogger('codec server');

/** Lambda's limit for a synchronous request; the local server holds to it too. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
const BODY_LIMITS = { maxBytes: MAX_BODY_BYTES, maxDepth: 16, untypedIsJson: true };
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const base64 = z.string().refine((text) => text.length % 4 === 0 && BASE64.test(text), 'is not base64');
const bodySchema = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), base64).nullish(),
      data: base64.nullish(),
    }),
  ),
});
type JsonPayload = z.infer<typeof bodySchema>['payloads'][number];

const OPERATIONS = ['encode', 'decode'] as const;
type Operation = (typeof OPERATIONS)[number];
const ROUTES = OPERATIONS.flatMap((operation) => [`/${operation}`, `/token/{token}/${operation}`]);

type CodecEnv = { Variables: { deps: CodecServerDeps; cors: Record<string, string> } };

function corsHeaders(deps: CodecServerDeps, origin: string | undefined): Record<string, string> {
  if (!origin || !deps.allowedOrigins.has(origin)) return { vary: 'Origin' };
  return {
    vary: 'Origin',
    'access-control-allow-origin': origin,
    // The Cloud UI's "include cross-origin credentials" needs this; with an exact origin it grants nothing more.
    'access-control-allow-credentials': 'true',
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, x-namespace',
    'access-control-max-age': '600',
  };
}

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

function parsePayloads(value: unknown): JsonPayload[] {
  if (value === undefined) throw new HttpError(400, 'invalid_body', 'the body must be JSON: { "payloads": [...] }');
  const parsed = bodySchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issuePath(issue.path) || 'body'}: ${issue.message}`);
    throw new HttpError(400, 'invalid_body', issues.join('; '));
  }
  return parsed.data.payloads;
}

function fromJson(payload: JsonPayload): Payload {
  const result: Payload = {};
  if (payload.metadata) {
    result.metadata = Object.fromEntries(Object.entries(payload.metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  }
  if (payload.data !== undefined && payload.data !== null) result.data = Buffer.from(payload.data, 'base64');
  return result;
}

function toJson(payload: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')])),
    ...(payload.data ? { data: Buffer.from(payload.data).toString('base64') } : {}),
  };
}

async function convert(deps: CodecServerDeps, operation: Operation, payloads: Payload[]): Promise<Payload[]> {
  // One at a time through the codec, so an error says which payload it was.
  return Promise.all(
    payloads.map(async (payload, index) => {
      try {
        const [converted] = await deps.codec[operation]([payload]);
        if (!converted) throw new Error('the codec returned nothing');
        return converted;
      } catch (error) {
        if ((error as Error).name !== 'CodecError') throw error;
        throw new HttpError(422, 'undecodable', `payloads[${index}]: ${errorMessage(error)}`);
      }
    }),
  );
}

function errorJson(c: Context<CodecEnv>, status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}) {
  for (const [name, value] of Object.entries({ ...(c.var.cors ?? {}), ...headers })) c.header(name, value);
  return c.json({ error: { code, message } }, status as ContentfulStatusCode);
}

export function createCodecApp(getDeps: () => Promise<CodecServerDeps>): Hono<CodecEnv> {
  const app = new Hono<CodecEnv>({ strict: false });

  app.use('*', async (c, next) => {
    const deps = await getDeps();
    const origin = c.req.header('origin');
    c.set('deps', deps);
    c.set('cors', corsHeaders(deps, origin));
    if (origin !== undefined && !deps.allowedOrigins.has(origin)) {
      throw new HttpError(403, 'origin_not_allowed', `origin ${origin} may not call this codec server`);
    }
    await next();
  });

  for (const operation of OPERATIONS) {
    // A preflight carries no credentials: it is answered for allowed origins, and the POST is checked.
    const preflight = (c: Context<CodecEnv>) => c.body(null, 204, c.var.cors);
    const call = async (c: Context<CodecEnv>) => {
      const { deps, cors } = c.var;
      const token = c.req.param('token') ?? bearerToken(c.req.header('authorization'));
      if (!deps.checkToken(token)) {
        throw new HttpError(401, 'unauthorized', 'a valid codec server token is required: Authorization: Bearer <token>', { 'www-authenticate': 'Bearer' });
      }
      const payloads = parsePayloads(await readJsonBody(c, BODY_LIMITS)).map(fromJson);
      const converted = await convert(deps, operation, payloads);
      return c.json({ payloads: converted.map(toJson) }, 200, cors);
    };
    for (const path of [`/${operation}`, `/token/:token/${operation}`]) {
      app.options(path, preflight);
      app.post(path, call);
    }
  }

  app.notFound((c) => {
    const allow = allowedMethods(
      ROUTES.flatMap((path) => [{ method: 'POST', path }, { method: 'OPTIONS', path }]),
      c.req.path,
    );
    if (allow.length > 0) return errorJson(c, 405, 'method_not_allowed', `${c.req.path} takes POST`, { allow: allow.join(', ') });
    return errorJson(c, 404, 'not_found', 'the codec server answers POST /encode and POST /decode');
  });

  app.onError((error, c) => {
    const known = answerFor(error);
    if (known) return errorJson(c, known.status, known.code, known.message, known.headers);
    logger.error(errorLogFields(error), 'internal error');
    return errorJson(c, 500, 'internal', 'internal error');
  });
  return app;
}

/** A request as plain data, for callers without a Request at hand (tests). */
export interface CodecRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
}

export interface CodecResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text, or empty. */
  readonly body: string;
}

const apps = new WeakMap<CodecServerDeps, Hono<CodecEnv>>();

/** One request through the app for these deps, as plain data in and out. */
export async function handleCodecRequest(deps: CodecServerDeps, request: CodecRequest): Promise<CodecResponse> {
  let app = apps.get(deps);
  if (!app) apps.set(deps, (app = createCodecApp(() => Promise.resolve(deps))));
  const headers = Object.fromEntries(Object.entries(request.headers).filter((entry): entry is [string, string] => entry[1] !== undefined));
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && request.body !== undefined;
  const response = await app.request(request.path, { method: request.method, headers, ...(hasBody ? { body: request.body } : {}) });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

