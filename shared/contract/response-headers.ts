/**
 * Which headers a response block may set, and with what values. The
 * definition check (literal headers), the code-executor (templated ones, at
 * run time) and the API (the last door before the wire) apply the same
 * rules, so a header the transport would refuse fails the block with a clear
 * error instead of throwing inside the server that sends it.
 */

/** Owned by the transport: dropped silently, as they always were. */
export const TRANSPORT_HEADERS: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'content-type']);

/** RFC 9110 token characters. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, space and tab: what every HTTP stack (Node, undici, API Gateway) sends unchanged. */
const HEADER_VALUE = /^[\t\x20-\x7e]*$/;
export const MAX_HEADER_VALUE_LENGTH = 8192;

/**
 * Why a response block may not set this header, or undefined if it may.
 * Never quotes the value: it may be user data.
 */
export function responseHeaderProblem(name: string, value?: string): string | undefined {
  if (!HEADER_NAME.test(name)) return `"${name}" is not a legal header name (letters, digits and !#$%&'*+.^_\`|~-)`;
  const lower = name.toLowerCase();
  // On the API's own origin these would plant cookies or widen CORS for every caller.
  if (lower === 'set-cookie' || lower === 'set-cookie2') return `${lower} may not be set by a workflow (the API's origin owns its cookies)`;
  if (lower.startsWith('access-control-allow-')) return `${lower} may not be set by a workflow (the API owns its CORS policy)`;
  if (value === undefined) return undefined;
  if (value.length > MAX_HEADER_VALUE_LENGTH) return `the value of ${lower} is over ${MAX_HEADER_VALUE_LENGTH} characters`;
  if (!HEADER_VALUE.test(value)) {
    return `the value of ${lower} is not a legal header value: only printable ASCII, spaces and tabs (no line breaks, no other characters; encode them, e.g. with encodeURIComponent)`;
  }
  return undefined;
}
