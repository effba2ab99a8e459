/**
 * Follows a run to its end, reporting each block's status change (the
 * `status` query, polled) and returning the final status and output.
 */
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { type ResultStore } from '../store/index.ts';
import { storeKeys, type BlockState, type RunStatus } from '../contract/index.ts';
import type { RunHandle } from './start-run.ts';

export interface RunOutcome {
  readonly status: 'completed' | 'failed' | 'cancelled';
  readonly output?: unknown;
  readonly error?: { readonly message: string; readonly blockId?: string };
  readonly final?: RunStatus;
}

export type BlockChange = { readonly blockId: string } & Readonly<BlockState>;

const POLL_MS = 150;

async function queryStatus(handle: RunHandle): Promise<RunStatus | undefined> {
  try {
    return await handle.query<RunStatus>('status');
  } catch {
    return undefined; // not started yet, or closed and no longer queryable
  }
}

export async function watchRun(
  handle: RunHandle,
  store: ResultStore,
  onChange: (change: BlockChange) => void = () => {},
): Promise<RunOutcome> {
  const seen = new Map<string, string>();
  const report = (status: RunStatus | undefined) => {
    if (!status) return;
    for (const [blockId, state] of Object.entries(status.blocks)) {
      const key = `${state.status}/${state.attempts}/${state.items ? `${state.items.completed}+${state.items.failed}` : ''}`;
      if (seen.get(blockId) !== key && state.status !== 'pending') {
        seen.set(blockId, key);
        onChange({ blockId, ...state });
      }
    }
  };
  let settled = false;
  const result = handle.result().finally(() => {
    settled = true;
  });
  const poller = (async () => {
    while (!settled) {
      report(await queryStatus(handle));
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  try {
    const { output } = await result;
    await poller;
    const final = await queryStatus(handle);
    report(final);
    return { status: 'completed', output: await store.getJson(output.ref), ...(final ? { final } : {}) };
  } catch (error) {
    await poller;
    const final = await queryStatus(handle);
    report(final);
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    if (cause instanceof CancelledFailure) return { status: 'cancelled', ...(final ? { final } : {}) };
    if (cause instanceof ApplicationFailure && cause.type === 'BlockFailed') {
      const blockId = final?.error?.blockId;
      return { status: 'failed', error: { message: cause.message, ...(blockId ? { blockId } : {}) }, ...(final ? { final } : {}) };
    }
    if (error instanceof WorkflowFailedError) {
      return { status: 'failed', error: { message: cause instanceof Error ? cause.message : String(error) } };
    }
    throw error;
  }
}

export async function readRunOutput(store: ResultStore, runId: string): Promise<unknown> {
  return store.getJson(storeKeys.output(runId));
}
