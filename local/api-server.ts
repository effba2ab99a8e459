/** Serves the API's app on a local Node HTTP server (127.0.0.1:3000 by default). */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleApiRequest, MAX_BODY_BYTES, type ApiDeps } from '../functions/api/app.ts';

export async function startApiServer(deps: ApiDeps, options: { host?: string; port?: number } = {}) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
      );
      if (tooLarge) {
        res.writeHead(413, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'payload_too_large', message: `the body is over ${MAX_BODY_BYTES} bytes` } }));
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
      const query = Object.fromEntries(new URLSearchParams(search));
      void handleApiRequest(deps, { method: req.method ?? 'GET', path, query, headers, body }).then(
        (response) => {
          const text = response.raw ? String(response.body) : JSON.stringify(response.body);
          res.writeHead(response.status, { 'content-type': 'application/json', ...response.headers });
          res.end(text);
        },
      );
    });
  });
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
    server.listen(options.port ?? 3000, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
