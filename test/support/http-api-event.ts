/** An API Gateway HTTP API event (payload format 2.0) as AWS sends it, for Lambda handler tests. */
import type { LambdaEvent } from 'hono/aws-lambda';

type HttpApiEvent = Extract<LambdaEvent, { rawPath: string }>;

export interface EventParts {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQueryString?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

export function httpApiEvent(parts: EventParts): HttpApiEvent {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString ?? '',
    headers: parts.headers ?? {},
    body: parts.body ?? null,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      authentication: null,
      authorizer: {},
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: parts.method, path: parts.rawPath, protocol: 'HTTP/1.1', sourceIp: '203.0.113.1', userAgent: 'test' },
      requestId: `req-${now}`,
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}
