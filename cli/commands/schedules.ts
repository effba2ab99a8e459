/** `baton schedules list|sync`: the Temporal Schedules made from the definitions' triggers. */
import { listSchedules, syncSchedules } from '../../shared/schedules/index.ts';
import { printJson, withCluster } from './cluster.ts';

export function schedulesList(options: { json?: boolean }): Promise<void> {
  return withCluster(async ({ client, config }) => {
    const schedules = await listSchedules(client, config.taskQueue);
    if (options.json) return printJson(schedules);
    for (const s of schedules) {
      process.stdout.write(`${s.id}  ${s.workflow.padEnd(20)}  ${s.paused ? 'paused ' : 'active '}  next ${s.nextRuns[0] ?? '-'}\n`);
    }
  });
}

export function schedulesSync(options: { json?: boolean }): Promise<void> {
  return withCluster(async (cluster) => {
    const report = await syncSchedules({
      client: cluster.client,
      store: cluster.store,
      taskQueue: cluster.config.taskQueue,
      registry: cluster.registry,
      definitions: await cluster.registry.list(),
    });
    if (options.json) return printJson(report);
    for (const [kind, ids] of Object.entries(report)) for (const id of ids as string[]) process.stdout.write(`${kind.padEnd(9)} ${id}\n`);
  });
}
