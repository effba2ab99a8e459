/** The Lambda client the worker invokes executors with: the local endpoint when set, AWS otherwise. */
import { LambdaClient } from '@aws-sdk/client-lambda';

export function createLambdaClient(options: { endpoint?: string | undefined; region?: string | undefined }): LambdaClient {
  if (options.endpoint) {
    return new LambdaClient({
      endpoint: options.endpoint,
      region: options.region ?? 'us-east-1',
      // The local endpoint does not check signatures; the SDK still needs something to sign with.
      credentials: { accessKeyId: 'baton-local', secretAccessKey: 'baton-local' },
    });
  }
  return new LambdaClient(options.region ? { region: options.region } : {});
}
