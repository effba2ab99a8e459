/**
 * The Lambda client the worker invokes executors with: the local endpoint when
 * set, AWS otherwise. Made once per process and configured for one Invoke per
 * block attempt:
 * - one attempt: Temporal retries a failed Invoke as the step's own retry
 *   (backoff, limits, visible in history), so the SDK's retries inside it
 *   would only multiply the attempts and hide the failures;
 * - keep-alive sockets, as many as the worker runs steps at once, so an Invoke
 *   does not pay a TCP (and TLS) handshake.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';

/** Sockets kept open to the executors: above the worker's activity slots, so no Invoke queues for one. */
const MAX_SOCKETS = 256;

export function createLambdaClient(options: { endpoint?: string | undefined; region?: string | undefined }): LambdaClient {
  const common: LambdaClientConfig = {
    maxAttempts: 1,
    requestHandler: {
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
    },
  };
  if (options.endpoint) {
    return new LambdaClient({
      ...common,
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      // The local endpoint does not check signatures; the SDK still needs something to sign with.
      credentials: { accessKeyId: 'baton-local', secretAccessKey: 'baton-local' },
    });
  }
  return new LambdaClient({ ...common, ...(options.region ? { region: options.region } : {}) });
}
