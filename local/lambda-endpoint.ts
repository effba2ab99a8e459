/**
 * A local Lambda Invoke endpoint: the Lambda API's
 * `POST /2015-03-31/functions/{name}/invocations`, serving the real handlers
 * in this process, so the worker talks to executors through the real
 * @aws-sdk/client-lambda exactly as in AWS.
 *
 * Invocation types as Lambda has them: RequestResponse (a handler that throws
 * answers 200 with X-Amz-Function-Error: Unhandled), Event (202 at once; a
 * failure is logged, never crashes the endpoint) and DryRun (204).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type LambdaHandler = (event: unknown) => Promise<unknown>;

export interface LambdaEndpoint {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024; // Lambda's synchronous payload limit
const ROUTE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/** Accepts a name, a full ARN or a partial ARN, with or without a qualifier, as Lambda does. */
export function functionNameOf(raw: string): string {
  const name = decodeURIComponent(raw);
  const arn = /^(?:arn:[^:]+:lambda:[^:]*:[^:]*:function:|[0-9]{12}:function:)?([A-Za-z0-9_-]+)(?::[A-Za-z0-9$_-]+)?$/.exec(name);
  return arn?.[1] ?? name;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  sendJson(res, status, { Type: 'User', message }, { 'x-amzn-errortype': type });
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function describe(error: unknown) {
  const err = error instanceof Error ? error : new Error(String(error));
  return { errorType: err.name, errorMessage: err.message, stackTrace: (err.stack ?? '').split('\n').slice(1).map((l) => l.trim()) };
}

export async function startLambdaEndpoint(options: {
  functions: Readonly<Record<string, LambdaHandler>>;
  host?: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LambdaEndpoint> {
  const log = options.log ?? ((line) => console.error(line));
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log(`lambda endpoint: ${describe(error).errorMessage}`);
      if (!res.headersSent) awsError(res, 500, 'ServiceException', 'internal error in the local Lambda endpoint');
    });
  });
  // Invocations can be long: a block may run up to Lambda's 15 minutes.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 65_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const route = ROUTE.exec((req.url ?? '').split('?')[0] ?? '');
    if (req.method !== 'POST' || !route?.[1]) {
      awsError(res, 404, 'UnknownOperationException', `unknown operation ${req.method} ${req.url}`);
      return;
    }
    const name = functionNameOf(route[1]);
    const handler = options.functions[name];
    if (!handler) {
      awsError(res, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
      return;
    }
    const body = await readBody(req);
    if (body === 'too-large') {
      awsError(res, 413, 'RequestTooLargeException', `request payload is over ${MAX_PAYLOAD_BYTES} bytes`);
      return;
    }
    let event: unknown = {};
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        awsError(res, 400, 'InvalidRequestContentException', 'could not parse request body into json');
        return;
      }
    }
    const requestId = randomUUID();
    const common = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': '$LATEST' };
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') {
      res.writeHead(204, common).end();
      return;
    }
    if (type === 'Event') {
      res.writeHead(202, common).end();
      void handler(event).catch((error: unknown) => log(`lambda ${name} (Event ${requestId}) failed: ${describe(error).errorMessage}`));
      return;
    }
    if (type !== 'RequestResponse') {
      awsError(res, 400, 'InvalidParameterValueException', `unknown invocation type ${type}`);
      return;
    }
    try {
      const result = await handler(event);
      sendJson(res, 200, result === undefined ? null : result, common);
    } catch (error) {
      sendJson(res, 200, describe(error), { ...common, 'x-amz-function-error': 'Unhandled' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
