/**
 * The codec server on a local Node HTTP server, for `baton dev`: the dev
 * server's Web UI is pointed at it (`--ui-codec-endpoint`), with the token in
 * the endpoint's path because the UI cannot send an Authorization header.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleCodecRequest, MAX_BODY_BYTES } from '../functions/codec-server/app.ts';
import { codecServerDepsFromEnv, TOKENS_SETTING, type CodecServerDeps } from '../functions/codec-server/settings.ts';
import type { Env } from '../shared/config/index.ts';

export interface LocalCodecServer {
  /** Base URL, for clients that send `Authorization: Bearer <token>` (`temporal --codec-endpoint`). */
  readonly url: string;
  /** Base URL with a token in its path, for the Web UI. */
  endpointWithToken(token: string): string;
  close(): Promise<void>;
}

export async function startCodecServer(deps: CodecServerDeps, options: { host?: string; port?: number } = {}): Promise<LocalCodecServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'payload_too_large', message: `the body is over ${MAX_BODY_BYTES} bytes` } }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      void handleCodecRequest(deps, { method: req.method ?? 'GET', path, headers, body }).then((response) => {
        res.writeHead(response.status, response.headers);
        res.end(response.body);
      });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    endpointWithToken: (token) => `${url}/token/${encodeURIComponent(token)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The origins a browser shows the dev server's Web UI under: the address it binds, and localhost for a loopback one. */
export function webUiOrigins(host: string, uiPort: number): string[] {
  const origins = [`http://${host.includes(':') ? `[${host}]` : host}:${uiPort}`];
  if (host === '127.0.0.1' || host === '::1') origins.push(`http://localhost:${uiPort}`);
  return origins;
}

/**
 * Starts the codec server for the dev server's Web UI, from the stack's env
 * (the key ring, BATON_CODEC_TOKENS); returns it and the endpoint to give the UI.
 */
export async function startCodecServerForWebUi(env: Env, uiHost: string, uiPort: number) {
  const deps = codecServerDepsFromEnv(env, webUiOrigins(uiHost, uiPort));
  const [token] = (env[TOKENS_SETTING] ?? '').split(',').map((entry) => entry.trim());
  const server = await startCodecServer(deps, { host: uiHost });
  return { server, uiEndpoint: server.endpointWithToken(token ?? '') };
}
