/**
 * The AWS settings that point the SDK at the run's moto server instead of
 * AWS: the endpoint override the SDK reads itself (AWS_ENDPOINT_URL), a region,
 * and throwaway credentials (moto accepts any).
 */
import { inject } from 'vitest';

export function motoEnv(): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: inject('motoEndpoint'),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'baton-test',
    AWS_SECRET_ACCESS_KEY: 'baton-test',
  };
}

/** For code that builds its clients from process.env, as a Lambda function or the worker does. */
export function useMotoInProcessEnv(): Record<string, string> {
  const env = motoEnv();
  Object.assign(process.env, env);
  return env;
}
