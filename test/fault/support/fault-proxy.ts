/**
 * Fault injection (a fault that cannot be caused for real here: the local
 * Lambda endpoint has no throttling and no service errors): a proxy in front
 * of it that, while faults are on, answers invocations of one function as
 * Lambda does when it throttles (429 TooManyRequestsException, the function
 * never ran) or fails (500 ServiceException after the function ran, so its
 * answer is lost), alternately. Everything else passes through untouched.
 */
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultProxy {
  readonly url: string;
  /** Faults served so far: 429s (not forwarded) and 500s (forwarded, answer dropped). */
  readonly throttled: number;
  readonly failedAfterRunning: number;
  /** The messages of the function errors (X-Amz-Function-Error answers) the executors sent back through it. */
  readonly functionErrors: readonly string[];
  /** Serves the next `count` invocations of `functionName` as faults, then passes through again. */
  injectFaults(functionName: string, count: number): void;
  /** Resolves once every injected fault has been served. */
  faultsServed(): Promise<void>;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  const text = JSON.stringify({ Type: status === 429 ? 'User' : 'Service', message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'x-amzn-errortype': type });
  res.end(text);
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  let throttled = 0;
  let failedAfterRunning = 0;
  const functionErrors: string[] = [];
  let faulty: { functionName: string; left: number } | undefined;
  let served: () => void = () => {};
  let allServed = Promise.resolve();

  const forward = (req: IncomingMessage, body: Buffer) =>
    new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
      const out = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => void bodyOf(answer).then((text) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: text }), reject),
      );
      out.once('error', reject);
      out.end(body);
    });

  const server = createServer((req, res) => {
    void (async () => {
      const body = await bodyOf(req);
      const fault = faulty && (req.url ?? '').includes(`/functions/${faulty.functionName}/`) ? faulty : undefined;
      if (fault) {
        fault.left--;
        if (fault.left <= 0) {
          faulty = undefined;
          served();
        }
        if ((throttled + failedAfterRunning) % 2 === 0) {
          throttled++;
          awsError(res, 429, 'TooManyRequestsException', 'Rate Exceeded. (fault injection)');
        } else {
          failedAfterRunning++;
          await forward(req, body);
          awsError(res, 500, 'ServiceException', 'An error occurred (fault injection, after the function ran)');
        }
        return;
      }
      const answer = await forward(req, body);
      if (answer.headers['x-amz-function-error']) functionErrors.push(answer.body.toString('utf8'));
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    })().catch((error: unknown) => {
      if (!res.headersSent) awsError(res, 502, 'ServiceException', `fault proxy: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get throttled() {
      return throttled;
    },
    get failedAfterRunning() {
      return failedAfterRunning;
    },
    functionErrors,
    injectFaults(functionName, count) {
      faulty = { functionName, left: count };
      allServed = new Promise<void>((resolve) => (served = resolve));
    },
    faultsServed: () => allServed,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
