/**
 * Records the determinism fixtures: runs every entry of
 * test/fixtures/histories/runs.ts on a fresh embedded stack and writes the
 * history of each workflow execution (children included) as JSON beside it.
 * Re-record (`npm run record-histories`) only when a change to batonRun is
 * meant to be incompatible, and say so in the commit: runs in flight would break.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../local/temporal-cli.ts';
import { compileDefinition, memoryRegistry, parseDefinition } from '../shared/definition/index.ts';
import { rerunRun, startRun, watchRun } from '../shared/runs/index.ts';
import type { batonRun } from '../worker/workflows/index.ts';
import { freePort } from '../local/free-port.ts';
import { startEmbeddedStack } from '../local/stack.ts';
import { recordedRuns } from '../test/fixtures/histories/runs.ts';

const FIXTURES = join(import.meta.dirname, '..', 'test', 'fixtures', 'histories');
const key = readFileSync(join(FIXTURES, 'key.txt'), 'utf8').trim();
const run = promisify(execFile);
const cli = await ensureTemporalCli();
const results = mkdtempSync(join(tmpdir(), 'baton-record-'));

const stack = await startEmbeddedStack({
  env: {
    ...process.env,
    TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    TEMPORAL_NAMESPACE: 'baton-record',
    ENCRYPTION_KEY: key,
    BATON_RESULTS_URL: `file://${results}`,
    BATON_TASK_QUEUE: 'record',
  },
  worker: true,
});
try {
  for (const recorded of recordedRuns) {
    const compiled = compileDefinition(parseDefinition(recorded.yaml, `${recorded.name}.yaml`));
    const registry = memoryRegistry((recorded.workflows ?? []).map((text) => compileDefinition(parseDefinition(text, 'child.yaml'))));
    const common = { client: stack.client, store: stack.store, taskQueue: stack.config.taskQueue };
    let started = await startRun({
      ...common,
      compiled,
      trigger: { type: 'manual', data: recorded.data ?? null },
      registry,
      ...(recorded.itemsPerBatch !== undefined ? { itemsPerBatch: recorded.itemsPerBatch } : {}),
    });
    if (recorded.rerunFrom) {
      await started.handle.result();
      started = await rerunRun({ ...common, registry: memoryRegistry([compiled]), runId: started.runId, fromBlock: recorded.rerunFrom });
    }
    if (recorded.asSchedule) {
      await started.handle.result();
      // As the schedule's action starts it: a workflow id with the fire time appended, no run id, the schedule's id.
      const workflowId = `run-s-${compiled.definition.name}-${recorded.asSchedule}-2026-01-01T00:00:00Z`;
      const handle = await stack.client.workflow.start<typeof batonRun>('batonRun', {
        workflowId,
        taskQueue: stack.config.taskQueue,
        args: [{ plan: compiled.plan, schedule: { id: recorded.asSchedule } }],
      });
      started = { runId: workflowId, handle, existing: false };
    }
    const { runId, handle } = started;
    if (recorded.awaitResponse) await handle.executeUpdate('response');
    if (recorded.cancelWhenRunning) {
      const blockId = recorded.cancelWhenRunning;
      for (;;) {
        const status = await handle.query<{ blocks: Record<string, { status: string }> }>('status');
        if (status.blocks[blockId]?.status === 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await handle.cancel();
    }
    const outcome = await watchRun(handle, stack.store);
    const executions: Array<{ workflowId: string; history: unknown }> = [];
    for await (const execution of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH "${runId.replace(/-2026.*$/, '')}"` })) {
      // The CLI writes the standard JSON history format that historyFromJSON reads back.
      const { stdout } = await run(cli.path, [
        'workflow', 'show', '--output', 'json',
        '--address', stack.config.temporal.address,
        '--namespace', stack.config.temporal.namespace,
        '--workflow-id', execution.workflowId,
        '--run-id', execution.runId,
      ], { maxBuffer: 64 * 1024 * 1024 });
      executions.push({ workflowId: execution.workflowId, history: JSON.parse(stdout) as unknown });
    }
    executions.sort((a, b) => a.workflowId.localeCompare(b.workflowId));
    writeFileSync(join(FIXTURES, `${recorded.name}.json`), `${JSON.stringify({ name: recorded.name, outcome: outcome.status, executions })}\n`);
    console.log(`${recorded.name}: ${outcome.status}, ${executions.length} execution(s)`);
  }
} finally {
  await stack.stop();
  rmSync(results, { recursive: true, force: true });
}
