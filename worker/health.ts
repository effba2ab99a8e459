/**
 * The worker's health endpoint, for the container's health check and a load
 * balancer: `GET /healthz` answers 200 while the worker polls, 503 once it is
 * stopping (SIGTERM), failed or not started, so traffic and restarts follow
 * the worker's real state rather than the process merely being alive.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { State as WorkerState } from '@temporalio/worker';
import { z } from 'zod';
import { envPort, parseEnv, type Env } from '../shared/config/index.ts';

export const DEFAULT_HEALTH_PORT = 8080;

export interface HealthServer {
  readonly url: string;
  close(): Promise<void>;
}

export const healthSettings = { BATON_HEALTH_PORT: envPort() };

export function healthPortFromEnv(env: Env): number {
  return parseEnv(z.object(healthSettings), env).BATON_HEALTH_PORT ?? DEFAULT_HEALTH_PORT;
}

export async function startHealthServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly state: () => WorkerState;
}): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || (path !== '/healthz' && path !== '/health')) {
      response.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    const worker = options.state();
    const ok = worker === 'RUNNING';
    response
      .writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ status: ok ? 'ok' : 'unavailable', worker }));
  });
  const host = options.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
