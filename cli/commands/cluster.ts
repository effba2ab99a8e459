/**
 * What the runs and schedules commands talk to: the cluster at
 * TEMPORAL_ADDRESS (the one `baton dev` keeps up locally), the result store,
 * and the workflows directory. No embedded stack: these act on runs that
 * live on a running cluster.
 */
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { loadConfig, type BatonConfig } from '../../shared/config/index.ts';
import { directoryRegistry, type Registry } from '../../shared/definition/index.ts';
import { openResultStore, type ResultStore } from '../../shared/store/index.ts';
import { connectClient, describeTls, temporalSettings } from '../../shared/temporal/index.ts';
import { TemporalConnectError } from '../../shared/errors/index.ts';
import { isListening } from '../../local/free-port.ts';
import { splitAddress } from '../../local/stack.ts';
import { withLocalDefaults } from '../../local/local-settings.ts';

export interface Cluster {
  readonly config: BatonConfig;
  readonly client: Client;
  readonly store: ResultStore;
  readonly registry: Registry;
  close(): Promise<void>;
}

export async function connectCluster(workflowsDir = process.env.BATON_WORKFLOWS_DIR ?? 'workflows'): Promise<Cluster> {
  const { env } = withLocalDefaults(process.env);
  const config = loadConfig(env);
  const [host, port] = splitAddress(config.temporal.address);
  if (!(await isListening(host, Number(port)))) {
    const settings = temporalSettings(env, config);
    throw new TemporalConnectError(
      settings.address,
      describeTls(settings),
      'nothing accepts connections there; start one with `baton dev` or set TEMPORAL_ADDRESS',
    );
  }
  const client = await connectClient(env, config);
  return {
    config,
    client,
    store: openResultStore(config.resultsUrl, config.keyRing),
    registry: directoryRegistry(resolve(workflowsDir)),
    close: () => client.connection.close(),
  };
}

export async function withCluster(work: (cluster: Cluster) => Promise<void>): Promise<void> {
  const cluster = await connectCluster();
  try {
    await work(cluster);
  } finally {
    await cluster.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
