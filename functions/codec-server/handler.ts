/**
 * Lambda entry point of the codec server, behind an API Gateway HTTP API or a
 * function URL (both send payload format 2.0). Settings are read once per
 * container; a bad or unreadable setting is logged by name and answered with
 * a 500, and tried again on the next call.
 */
import { loadSecretRefs } from '../../shared/secrets/secret-refs.ts';
import { errorMessage } from '../../shared/errors/index.ts';
import { handleCodecRequest } from './app.ts';
import { codecServerDepsFromEnv, type CodecServerDeps } from './settings.ts';

interface HttpApiEvent {
  rawPath?: string;
  requestContext?: { http?: { method?: string } };
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
}

let deps: CodecServerDeps | undefined;

export async function handler(event: HttpApiEvent) {
  try {
    if (!deps) {
      // The key ring and the tokens come from SSM by reference (*_SSM_PARAMETER), once per container.
      await loadSecretRefs();
      deps = codecServerDepsFromEnv(process.env);
    }
  } catch (error) {
    console.error(`codec server: ${errorMessage(error)}`);
    const misconfigured = { code: 'misconfigured', message: 'the codec server is misconfigured; its log names the setting' };
    return { statusCode: 500, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ error: misconfigured }) };
  }
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const body = event.body !== undefined && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const response = await handleCodecRequest(deps, {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath ?? '/',
    headers,
    body,
  });
  return { statusCode: response.status, headers: response.headers, body: response.body };
}
