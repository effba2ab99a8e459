/**
 * Reads a JSON request body for a Hono route, with the checks every JSON
 * route needs in the same order: media type (415), size (413), syntax and
 * nesting (400). Nesting is bounded because everything downstream (the
 * input schema check, the result store's JSON.stringify) recurses, and a
 * 20,000-deep body would overflow the stack there.
 */
import type { Context } from 'hono';
import { HttpError } from '../../shared/errors/index.ts';

export interface JsonBodyLimits {
  readonly maxBytes: number;
  readonly maxDepth: number;
  /**
   * Take a body without a Content-Type, or with fetch's default for a string
   * (text/plain), as JSON: for protocols whose clients never set one (Temporal's codec calls).
   */
  readonly untypedIsJson?: boolean;
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  return JSON_MEDIA_TYPE.test((contentType ?? '').split(';')[0]!.trim());
}

/** The depth of a parsed JSON value (a scalar is 0), without recursion. */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}

/** Parses JSON text under the limits; `undefined` for an empty body. */
export function parseJsonText(text: string, limits: JsonBodyLimits): unknown {
  if (Buffer.byteLength(text) > limits.maxBytes) throw new HttpError(413, 'payload_too_large', `the body is over ${limits.maxBytes} bytes`);
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
  if (jsonDepth(value, limits.maxDepth) > limits.maxDepth) {
    throw new HttpError(400, 'invalid_json', `the body nests deeper than ${limits.maxDepth} levels`);
  }
  return value;
}

/**
 * The body as text, keeping at most maxBytes in memory. Past the limit the
 * rest is read and dropped, so the client gets the 413 instead of a reset
 * connection while it is still sending.
 */
export async function readCappedText(c: Context, maxBytes: number): Promise<string> {
  const stream = c.req.raw.body;
  if (!stream) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size <= maxBytes) chunks.push(chunk);
  }
  if (size > maxBytes) throw new HttpError(413, 'payload_too_large', `the body is over ${maxBytes} bytes`);
  return Buffer.concat(chunks).toString('utf8');
}

/** The request's JSON body (`undefined` when empty), or the HttpError that answers it. */
export async function readJsonBody(c: Context, limits: JsonBodyLimits): Promise<unknown> {
  const text = await readCappedText(c, limits.maxBytes);
  const contentType = c.req.header('content-type');
  const untyped = contentType === undefined || /^text\/plain\b/i.test(contentType);
  const typedAsJson = isJsonMediaType(contentType) || (untyped && limits.untypedIsJson === true);
  if (text.length > 0 && !typedAsJson) {
    throw new HttpError(415, 'unsupported_media_type', 'the body must be JSON, sent with Content-Type: application/json');
  }
  return parseJsonText(text, limits);
}

