/**
 * batonRun on a real Temporal server of its own (`TestWorkflowEnvironment.createLocal`
 * running our Temporal CLI: nothing is downloaded) with the real workflow
 * bundle and the real codec, and FAKE ACTIVITIES: each test scripts what the
 * executors reply, per block, and reads back what the workflow asked for.
 * The fakes stand in for the Lambda executors and the result store only, so
 * retries, skips, cancellation and onError are exercised in milliseconds;
 * test/e2e runs the same rules through the real executors.
 *
 * Time skipping needs Temporal's separate test-server binary, which cannot be
 * downloaded here; the plans use short timers instead.
 */
import { inject } from 'vitest';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { dataConverterFor, generateKey, keyRingFromEnv, workerDataConverterFor } from '../../shared/codec/index.ts';
import {
  BATON_RUN,
  statusQuery,
  type BatonActivities,
  type BatonRunInput,
  type BatonRunWorkflow,
  type BlockReply,
  type Plan,
  type RunBlockInput,
  type RunStatus,
} from '../../shared/contract/index.ts';
import { compileDefinition, parseDefinition } from '../../shared/definition/index.ts';
import { findTemporalCli } from '../../local/temporal-cli.ts';
import { quietTemporalRuntime } from '../../local/stack.ts';

/** What a fake executor replies to one attempt of one block (or loop item). */
export type BlockScript = (input: RunBlockInput) => BlockReply | Promise<BlockReply>;

export const ok = (input: RunBlockInput, extra: Partial<Extract<BlockReply, { ok: true }>> = {}): BlockReply => ({
  ok: true,
  ref: `runs/${input.runId}/blocks/${input.blockId}${input.item === undefined ? '' : `/${input.item}`}`,
  bytes: 1,
  // An executor asked to finish the run writes its output: the fake says it did.
  ...(input.finish ? { output: { ref: `runs/${input.runId}/output`, bytes: 1 } } : {}),
  ...extra,
});

export const failed = (message: string, retryable: boolean, type = 'Error'): BlockReply => ({
  ok: false,
  error: { type, message, retryable },
});

/**
 * Holds the attempt until the workflow cancels it or the worker stops: a
 * regular activity hears of it through its heartbeat, a local one (which
 * cannot heartbeat) from the worker at once.
 */
export const heldUntilCancelled: BlockScript = async () => {
  const context = Context.current();
  for (;;) {
    if (!context.info.isLocal) context.heartbeat();
    await Promise.race([context.cancelled, context.sleep(50)]);
  }
};

export interface ActivityCall {
  readonly activity: keyof BatonActivities;
  readonly input: { readonly runId?: string; readonly blockId?: string } & Record<string, unknown>;
}

/** The fake activities: replies scripted per run and block, every call recorded per run. */
class ScriptedActivities {
  private readonly scripts = new Map<string, Readonly<Record<string, BlockScript>>>();
  private readonly recorded = new Map<string, ActivityCall[]>();

  script(runId: string, blocks: Readonly<Record<string, BlockScript>>): void {
    this.scripts.set(runId, blocks);
  }

  calls(runId: string): ActivityCall[] {
    return this.recorded.get(runId) ?? [];
  }

  private record(runId: string, call: ActivityCall): void {
    const calls = this.recorded.get(runId) ?? [];
    calls.push(call);
    this.recorded.set(runId, calls);
  }

  /** Runs are scripted under their workflow id; a child run's blocks live in its parent's script. */
  private scriptFor(runId: string): Readonly<Record<string, BlockScript>> {
    for (const [id, script] of this.scripts) if (runId === id || runId.startsWith(`${id}-`)) return script;
    return {};
  }

  activities(): BatonActivities {
    const store = (activity: keyof BatonActivities) => async (input: { runId?: string; toRunId?: string }) => {
      const runId = input.runId ?? input.toRunId ?? '';
      this.record(runId, { activity, input: input as ActivityCall['input'] });
      return { ref: `runs/${runId}/${activity}`, bytes: 1 };
    };
    return {
      runBlock: async (input) => {
        this.record(input.runId, { activity: 'runBlock', input: input as unknown as ActivityCall['input'] });
        const script = this.scriptFor(input.runId)[input.blockId];
        return script ? script(input) : ok(input);
      },
      collectLoop: store('collectLoop'),
      adoptChildOutput: store('adoptChildOutput'),
      recordFailure: async (input) => void (await store('recordFailure')(input)),
      recordApproval: store('recordApproval'),
      finishRun: store('finishRun'),
      copyResults: async (input) => void (await store('copyResults')(input)),
      prepareScheduledRun: async (input) => void (await store('prepareScheduledRun')(input)),
    };
  }
}

export interface WorkflowTestEnv {
  readonly env: TestWorkflowEnvironment;
  /** Starts batonRun on a YAML definition with these scripted replies; `workflows` are child definitions. */
  start(yaml: string, scripts?: Readonly<Record<string, BlockScript>>, workflows?: readonly string[]): Promise<WorkflowHandle<BatonRunWorkflow>>;
  /** Every activity call the run (and its child runs) made, in order. */
  calls(runId: string): ActivityCall[];
  /** runBlock calls for one block of the run: what each attempt was asked. */
  attempts(runId: string, blockId: string): RunBlockInput[];
  status(handle: WorkflowHandle<BatonRunWorkflow>): Promise<RunStatus>;
  stop(): Promise<void>;
}

const TASK_QUEUE = 'baton-workflow-tests';

export function planOf(yaml: string): Plan {
  return compileDefinition(parseDefinition(yaml, 'test.yaml')).plan;
}

export async function startWorkflowTestEnv(): Promise<WorkflowTestEnv> {
  const cli = await findTemporalCli();
  if (!cli) throw new Error('no Temporal CLI found (see local/temporal-cli.ts): the workflow tests need one, they do not download it');
  // The SDK logs as the worker does: failed runs by ids and codes, not their messages.
  quietTemporalRuntime();
  const keyRing = keyRingFromEnv({ ENCRYPTION_KEY: generateKey() });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: cli.path } },
    client: { dataConverter: dataConverterFor(keyRing) },
  });
  const fakes = new ScriptedActivities();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: { codePath: inject('workflowBundlePath') },
    dataConverter: workerDataConverterFor(keyRing),
    activities: fakes.activities(),
    // Held attempts are cancelled at once when the tests end.
    shutdownGraceTime: '100ms',
  });
  const running = worker.run();
  let sequence = 0;
  return {
    env,
    async start(yaml, scripts = {}, workflows = []) {
      const plan = planOf(yaml);
      const runId = `${plan.name}-${++sequence}`;
      fakes.script(runId, scripts);
      const input: BatonRunInput = {
        plan,
        workflows: Object.fromEntries(workflows.map((text) => planOf(text)).map((child) => [child.name, child])),
      };
      return env.client.workflow.start<BatonRunWorkflow>(BATON_RUN, { taskQueue: TASK_QUEUE, workflowId: runId, args: [input] });
    },
    calls: (runId) => fakes.calls(runId),
    attempts: (runId, blockId) =>
      fakes
        .calls(runId)
        .filter((call) => call.activity === 'runBlock' && call.input.blockId === blockId)
        .map((call) => call.input as unknown as RunBlockInput),
    status: (handle) => handle.query(statusQuery),
    async stop() {
      worker.shutdown();
      await running;
      await env.teardown();
    },
  };
}
