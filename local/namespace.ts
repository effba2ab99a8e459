/** Registers (or checks) the stage's namespace on the cluster the settings point at, for the embedded stack and the CLI. */
import type { BatonConfig, Env } from '../shared/config/index.ts';
import { connectTemporal, ensureNamespace, temporalSettings, type NamespaceState } from '../shared/temporal/index.ts';

export async function ensureStageNamespace(env: Env, config: BatonConfig): Promise<NamespaceState> {
  const settings = temporalSettings(env, config);
  const connection = await connectTemporal(settings);
  try {
    return await ensureNamespace(connection.workflowService, { namespace: settings.namespace, address: settings.address });
  } finally {
    await connection.close();
  }
}
