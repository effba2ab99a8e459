/**
 * The codec server on a local Node HTTP server, for `baton dev`: the dev
 * server's Web UI is pointed at it (`--ui-codec-endpoint`), with the token in
 * the endpoint's path because the UI cannot send an Authorization header.
 */
import { createCodecApp } from '../functions/codec-server/app.ts';
import { codecServerDepsFromEnv, TOKENS_SETTING, type CodecServerDeps } from '../functions/codec-server/settings.ts';
import type { Env } from '../shared/config/index.ts';
import { serveApp } from './serve-app.ts';

export interface LocalCodecServer {
  /** Base URL, for clients that send `Authorization: Bearer <token>` (`temporal --codec-endpoint`). */
  readonly url: string;
  /** Base URL with a token in its path, for the Web UI. */
  endpointWithToken(token: string): string;
  close(): Promise<void>;
}

/** Serves the codec server's app (the one its Lambda handler serves) with the given deps. */
export async function startCodecServer(deps: CodecServerDeps, options: { host?: string; port?: number } = {}): Promise<LocalCodecServer> {
  const app = createCodecApp(() => Promise.resolve(deps));
  const server = await serveApp(app.fetch, { host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    url: server.url,
    endpointWithToken: (token) => `${server.url}/token/${encodeURIComponent(token)}`,
    close: () => server.close(),
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
