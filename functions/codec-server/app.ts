/**
 * Temporal's codec server protocol for the Web UI and the CLI: `POST /encode`
 * and `POST /decode`, each taking and answering `{ payloads: [...] }` with
 * metadata values and data in base64 (protobuf JSON). Independent of how
 * requests arrive: a Lambda event in AWS, a Node server locally.
 *
 * It decrypts everything the deployment sealed, so every call needs a bearer
 * token, and browsers may call only from the configured UI origins. A UI that
 * cannot send an Authorization header (the local dev UI; a Cloud UI that does
 * not pass its own token) puts the token in the endpoint's path instead:
 * `https://codec.example/token/<token>`, which the UI calls as `.../token/<token>/decode`.
 */
import type { Payload } from '@temporalio/common';
import { z } from 'zod';
import { bearerToken } from '../../shared/auth/api-keys.ts';
import { errorMessage } from '../../shared/errors/index.ts';
import type { CodecServerDeps } from './settings.ts';

export interface CodecRequest {
  readonly method: string;
  readonly path: string;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | undefined;
}

export interface CodecResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** JSON text, or empty. */
  readonly body: string;
}

/** Lambda's limit for a synchronous request; the local server holds to it too. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
const ROUTE = /^(?:\/token\/([^/]+))?\/(encode|decode)\/?$/;
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

class CodecHttpError extends Error {
  override readonly name = 'CodecHttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

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

function json(status: number, body: unknown, headers: Record<string, string>): CodecResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

function parseBody(body: string | undefined): JsonPayload[] {
  if (body === undefined || body.trim() === '') throw new CodecHttpError(400, 'invalid_body', 'the body must be JSON: { "payloads": [...] }');
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new CodecHttpError(413, 'payload_too_large', `the body is over ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    throw new CodecHttpError(400, 'invalid_json', `the body is not valid JSON: ${errorMessage(error)}`);
  }
  const parsed = bodySchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issuePath(issue.path) || 'body'}: ${issue.message}`);
    throw new CodecHttpError(400, 'invalid_body', issues.join('; '));
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

async function convert(deps: CodecServerDeps, operation: 'encode' | 'decode', payloads: Payload[]): Promise<Payload[]> {
  // One at a time through the codec, so an error says which payload it was.
  return Promise.all(
    payloads.map(async (payload, index) => {
      try {
        const [converted] = await deps.codec[operation]([payload]);
        if (!converted) throw new Error('the codec returned nothing');
        return converted;
      } catch (error) {
        if ((error as Error).name !== 'CodecError') throw error;
        throw new CodecHttpError(422, 'undecodable', `payloads[${index}]: ${errorMessage(error)}`);
      }
    }),
  );
}

function pathToken(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined; // malformed escapes: no token
  }
}

export async function handleCodecRequest(deps: CodecServerDeps, request: CodecRequest): Promise<CodecResponse> {
  const origin = request.headers.origin;
  const cors = corsHeaders(deps, origin);
  try {
    if (origin !== undefined && !deps.allowedOrigins.has(origin)) {
      throw new CodecHttpError(403, 'origin_not_allowed', `origin ${origin} may not call this codec server`);
    }
    const route = ROUTE.exec(request.path);
    if (!route) throw new CodecHttpError(404, 'not_found', 'the codec server answers POST /encode and POST /decode');
    const operation = route[2] as 'encode' | 'decode';
    // A preflight carries no credentials: it is answered for allowed origins, and the POST is checked.
    if (request.method === 'OPTIONS') return { status: 204, headers: cors, body: '' };
    if (request.method !== 'POST') throw new CodecHttpError(405, 'method_not_allowed', `${operation} takes POST`, { allow: 'POST, OPTIONS' });
    const token = route[1] !== undefined ? pathToken(route[1]) : bearerToken(request.headers.authorization);
    if (!deps.checkToken(token)) {
      throw new CodecHttpError(401, 'unauthorized', 'a valid codec server token is required: Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer',
      });
    }
    const payloads = parseBody(request.body).map(fromJson);
    const converted = await convert(deps, operation, payloads);
    return json(200, { payloads: converted.map(toJson) }, cors);
  } catch (error) {
    if (error instanceof CodecHttpError) {
      return json(error.status, { error: { code: error.code, message: error.message } }, { ...cors, ...error.headers });
    }
    console.error(`codec server: ${errorMessage(error)}`);
    return json(500, { error: { code: 'internal', message: 'internal error' } }, cors);
  }
}
