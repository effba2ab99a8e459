/**
 * Serves a fetch-style app (a Hono app's `fetch`) on a local Node HTTP
 * server: the API and the codec server run locally exactly as their Lambda
 * handlers serve them in AWS.
 */
import { createAdaptorServer } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface LocalServer {
  readonly url: string;
  close(): Promise<void>;
}

type Fetch = (request: Request) => Response | Promise<Response>;

export async function serveApp(fetch: Fetch, options: { host?: string; port?: number } = {}): Promise<LocalServer> {
  const server = createAdaptorServer({ fetch }) as Server;
  // A request Node's parser refuses (a header with a control character, say) still gets a JSON error.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const body = JSON.stringify({ error: { code: 'bad_request', message: 'the request could not be parsed' } });
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
