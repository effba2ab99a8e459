/**
 * The client's side of a concurrency limit: before a run of a limited
 * workflow starts, it enters the gate of its (workflow, key) with
 * update-with-start, which answers in one round trip whether the run holds
 * a slot, waits in the queue, or is refused (overflow: reject). Entering
 * here, in the start itself, is what keeps the queue in the order the
 * starts were made. The key's value is hashed into the gate's id: Temporal
 * never sees it (docs/design.md, Concurrency limits).
 */
import { createHash } from 'node:crypto';
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { concurrencyKeyValue, type CompiledDefinition } from '../definition/index.ts';
import { BATON_GATE, enterUpdate, leaveSignal, type EnterResult, type GateInput, type RunLimit } from '../contract/index.ts';
import { ConcurrencyLimitError, RunOperationError } from '../errors/index.ts';

/** The gate of one workflow and key value; the value only as a hash. */
export function gateIdOf(workflow: string, keyValue: string): string {
  return `baton-gate-${createHash('sha256').update(workflow).update('\0').update(keyValue).digest('hex').slice(0, 32)}`;
}

/** Gate settings tests lower to exercise the periodic check and continue-as-new. */
export type GateTuning = Pick<GateInput, 'checkEveryMs' | 'messagesPerRun' | 'arrivalGraceMs'>;

export interface EnterGateOptions {
  readonly client: Client;
  readonly taskQueue: string;
  readonly compiled: CompiledDefinition;
  readonly runId: string;
  readonly data: unknown;
  readonly tuning?: GateTuning;
}

/** A gate that completed as the update reached it refuses it; the next attempt starts a new gate. */
const ENTER_ATTEMPTS = 3;

/**
 * Enters the run in its gate: the limit the run carries, or undefined for a
 * workflow without one. Throws ConcurrencyLimitError when the gate refuses
 * it, and RunOperationError when the trigger data has no usable key.
 */
export async function enterGate(options: EnterGateOptions): Promise<RunLimit | undefined> {
  const { definition } = options.compiled;
  const concurrency = definition.concurrency;
  if (!concurrency) return undefined;
  const key = concurrencyKeyValue(concurrency, options.data);
  if (!key.ok) throw new RunOperationError('invalid', key.problem);
  const gateId = gateIdOf(definition.name, key.value);
  const request = { runId: options.runId, limit: concurrency.limit, overflow: concurrency.overflow };
  let result: EnterResult | undefined;
  for (let attempt = 1; !result; attempt += 1) {
    const gateInput: GateInput = { limit: concurrency.limit, ...options.tuning };
    const start = new WithStartWorkflowOperation(BATON_GATE, {
      workflowId: gateId,
      taskQueue: options.taskQueue,
      args: [gateInput],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    try {
      result = await options.client.workflow.executeUpdateWithStart(enterUpdate, { args: [request], startWorkflowOperation: start });
    } catch (error) {
      if (attempt >= ENTER_ATTEMPTS) throw error;
    }
  }
  if (result.state === 'rejected') throw new ConcurrencyLimitError(definition.name, concurrency.limit, result.retryAfterMs);
  return {
    gateId,
    limit: concurrency.limit,
    overflow: concurrency.overflow,
    ...(result.state === 'queued' ? { queued: true } : { turn: result.turn }),
  };
}

/** Gives the run's place back when its start failed after it entered (the gate's check would free it later anyway). */
export async function leaveGate(client: Client, limit: RunLimit, runId: string): Promise<void> {
  await client.workflow
    .getHandle(limit.gateId)
    .signal(leaveSignal, { runId })
    .catch(() => undefined);
}
