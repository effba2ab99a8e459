/**
 * The worker's connection. Kept out of shared/ so the Lambda bundles, which
 * only need a client, never pull in @temporalio/worker and its native parts.
 */
import { NativeConnection } from '@temporalio/worker';
import type { BatonConfig, Env } from '../shared/config/index.ts';
import { connectOptions, temporalSettings, type TemporalSettings } from '../shared/temporal/index.ts';

/** Reads the certificate files (if any) now, so each call connects with what they hold at this moment. */
export async function connectWorkerWith(settings: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(connectOptions(settings));
}

export async function connectWorker(env: Env, config: BatonConfig): Promise<NativeConnection> {
  return connectWorkerWith(temporalSettings(env, config));
}
