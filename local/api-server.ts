/**
 * Serves the API locally (127.0.0.1:3000 by default): the very app the
 * Lambda handler exports, with the stack's deps instead of ones read from env.
 */
import { createApiHandler } from '../functions/api/handler.ts';
import type { ApiDeps } from '../functions/api/app.ts';
import { serveApp, type LocalServer } from './serve-app.ts';

export async function startApiServer(deps: ApiDeps, options: { host?: string; port?: number } = {}): Promise<LocalServer> {
  const { app } = createApiHandler(deps);
  return serveApp(app.fetch, { host: options.host ?? '127.0.0.1', port: options.port ?? 3000 });
}
