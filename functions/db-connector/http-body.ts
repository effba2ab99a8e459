import { BlockFailure } from '../../shared/errors/index.ts';
/**
 * An HTTP response body as block data, read up to a byte cap: JSON parsed,
 * text as a string, anything else (images, PDFs, octet streams) as base64.
 * An empty body is null.
 */

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\b|^[\w.-]+\/[\w.-]+\+json\b/i;
const TEXT_TYPE = /^text\/|^application\/(?:[\w.-]+\+)?(?:xml|javascript|x-www-form-urlencoded|yaml|x-yaml|graphql)\b|\+xml\b/i;

function tooLarge(where: string, maxBytes: number): BlockFailure {
  return new BlockFailure('ResultTooLarge', `${where}: the response body is larger than ${maxBytes} bytes (maxResponseBytes)`, false);
}

async function readCapped(response: Response, maxBytes: number, where: string): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(where, maxBytes);
  }
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  // Leaving the loop early cancels the stream, so a huge body is not downloaded to be thrown away.
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(where, maxBytes);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

function decode(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/**
 * The body. `strict`: a body that says it is JSON and is not fails the block
 * (a 2xx answer the block would misread); for an error answer it is kept as
 * text, for the message.
 */
export async function readBody(response: Response, maxBytes: number, strict: boolean, where: string): Promise<{ body: unknown }> {
  const bytes = await readCapped(response, maxBytes, where);
  if (bytes.length === 0) return { body: null };
  const contentType = response.headers.get('content-type') ?? '';
  const charset = /;\s*charset="?([\w.:-]+)"?/i.exec(contentType)?.[1];
  if (JSON_TYPE.test(contentType)) {
    const text = decode(bytes, charset);
    try {
      return { body: JSON.parse(text) };
    } catch {
      if (strict) throw new BlockFailure('HttpError', `${where}: the response says it is ${contentType.split(';')[0]} but is not valid JSON`, false);
      return { body: text };
    }
  }
  if (TEXT_TYPE.test(contentType)) return { body: decode(bytes, charset) };
  if (!contentType) {
    // No type given: text if it is valid UTF-8, else bytes.
    try {
      return { body: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
    } catch {
      return { body: bytes.toString('base64') };
    }
  }
  return { body: bytes.toString('base64') };
}

/** Retry-After (seconds, or an HTTP date) in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
