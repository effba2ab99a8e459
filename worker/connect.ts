/**
 * The worker's connection. Kept out of shared/ so the Lambda bundles, which
 * only need a client, never pull in @temporalio/worker and its native parts.
 */
import { NativeConnection } from '@temporalio/worker';
import type { BatonConfig, Env } from '../shared/config/index.ts';
import { connectOptions } from '../shared/temporal/index.ts';

export async function connectWorker(env: Env, config: BatonConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectOptions(env, config));
}
