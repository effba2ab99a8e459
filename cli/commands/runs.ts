/** `baton runs list|show|cancel|rerun|approve|reject`: recent runs, one run's blocks, cancel, rerun from a block, decide an approval. */
import { DECIDED_BY_CLI } from '../../shared/contract/index.ts';
import { blockDetail, cancelRun, decideApproval, listRuns, rerunRun, runStatus, watchRun } from '../../shared/runs/index.ts';
import { printChange, formatChange } from '../progress.ts';
import { printJson, withCluster } from './cluster.ts';

interface JsonOption {
  readonly json?: boolean;
}

export function runsList(options: JsonOption & { workflow?: string; limit: string }): Promise<void> {
  return withCluster(async ({ client }) => {
    const runs = await listRuns(client, { ...(options.workflow ? { workflow: options.workflow } : {}), limit: Number(options.limit) });
    if (options.json) return printJson(runs);
    for (const run of runs) process.stdout.write(`${run.runId}  ${run.workflow.padEnd(20)}  ${run.status.padEnd(10)}  ${run.startedAt}\n`);
  });
}

export function runsShow(runId: string, options: JsonOption & { block?: string }): Promise<void> {
  return withCluster(async ({ client, store }) => {
    if (options.block) {
      const detail = await blockDetail(client, store, runId, options.block);
      if (options.json) return printJson(detail);
      process.stdout.write(`${detail.blockId}: ${detail.status}\n${JSON.stringify(detail.data ?? detail.error ?? null, null, 2)}\n`);
      for (const line of detail.logs as Array<{ level: string; message: string }>) process.stdout.write(`  [${line.level}] ${line.message}\n`);
      return;
    }
    const status = await runStatus(client, runId);
    if (options.json) return printJson(status);
    process.stdout.write(`${status.runId} (${status.workflow}) ${status.status}${status.error ? ` at "${status.error.blockId}": ${status.error.message}` : ''}\n`);
    for (const [blockId, state] of Object.entries(status.blocks)) process.stdout.write(`${formatChange({ blockId, ...state })}\n`);
  });
}

export function runsCancel(runId: string, options: JsonOption): Promise<void> {
  return withCluster(async ({ client }) => {
    await cancelRun(client, runId);
    if (options.json) return printJson({ runId, status: 'cancelling' });
    process.stderr.write(`run ${runId}: cancellation requested\n`);
  });
}

export function runsRerun(runId: string, options: JsonOption & { from?: string; input?: string; wait?: boolean }): Promise<void> {
  return withCluster(async (cluster) => {
    const data = options.input === undefined ? undefined : (JSON.parse(options.input) as unknown);
    const started = await rerunRun({
      client: cluster.client,
      store: cluster.store,
      taskQueue: cluster.config.taskQueue,
      registry: cluster.registry,
      runId,
      ...(options.from ? { fromBlock: options.from } : {}),
      ...(data !== undefined ? { data } : {}),
    });
    if (!options.wait) {
      if (options.json) return printJson({ runId: started.runId, rerunOf: runId, reused: started.reused });
      process.stderr.write(`run ${started.runId} reruns ${runId}${started.reused.length ? `, reusing ${started.reused.join(', ')}` : ''}\n`);
      return;
    }
    const outcome = await watchRun(started.handle, cluster.store, options.json ? () => {} : printChange);
    if (options.json) printJson({ runId: started.runId, rerunOf: runId, reused: started.reused, ...outcome });
    else process.stdout.write(`${JSON.stringify(outcome.output ?? null, null, 2)}\n`);
    process.exitCode = outcome.status === 'completed' ? 0 : 1;
  });
}

/**
 * Decides an approval block as an operator: the CLI holds the cluster's own
 * credentials, so its decision (by "cli") is not checked against approvers.
 */
export function runsDecide(approved: boolean) {
  return (runId: string, blockId: string, options: JsonOption & { comment?: string }): Promise<void> =>
    withCluster(async ({ client, store }) => {
      const decision = await decideApproval({ client, store, runId, blockId, approved, by: DECIDED_BY_CLI, via: 'cli', comment: options.comment });
      if (options.json) return printJson(decision);
      process.stderr.write(`run ${runId}: block "${blockId}" ${approved ? 'approved' : 'rejected'}\n`);
    });
}
