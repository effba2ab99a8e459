/**
 * Runs counted per workflow, from the workflow itself through the SDK's
 * workflow metric meter: the worker exports them with its own metrics
 * (worker/metrics.ts), and the SDK drops them while a workflow replays, so a
 * run is counted once however often its history is replayed. No commands are
 * issued: histories are unchanged.
 *
 * - baton_runs_started{workflow}                 every batonRun, child runs included
 * - baton_runs_completed / _failed / _cancelled{workflow}
 * - baton_runs_queued{workflow}                  runs that waited for a concurrency slot
 * - baton_runs_dequeued{workflow, outcome}       ... and stopped waiting: granted | cancelled
 * - baton_run_queue_wait{workflow}               milliseconds from queued to granted
 * - baton_approvals_requested{workflow}          approval blocks that began waiting for a decision
 * - baton_approvals_decided{workflow, outcome}   ... and stopped: approved | rejected | timed_out | cancelled
 *
 * Pending approvals are requested minus decided, as queued runs are queued
 * minus dequeued (a counter, not a gauge: many workflows report at once and
 * a gauge would keep only the last one's value).
 *
 * (each also tagged by the SDK with namespace, taskQueue and workflowType)
 */
import { isCancellation, metricMeter } from '@temporalio/workflow';
import type { BatonRunInput, BatonRunResult } from '../../shared/contract/index.ts';

type Tags = { readonly workflow: string };

/** Instruments are made on first use: the meter belongs to the running workflow, not the bundle's load. */
function counter(name: string, description: string) {
  return (tags: Tags & Record<string, string>) => metricMeter.createCounter(name, 'runs', description).add(1, tags);
}

export const runMetrics = {
  started: counter('baton_runs_started', 'Runs started, per workflow'),
  completed: counter('baton_runs_completed', 'Runs completed, per workflow'),
  failed: counter('baton_runs_failed', 'Runs failed, per workflow'),
  cancelled: counter('baton_runs_cancelled', 'Runs cancelled, per workflow'),
  queued: counter('baton_runs_queued', 'Runs that waited for a concurrency slot, per workflow'),
  dequeued: counter('baton_runs_dequeued', 'Queued runs that stopped waiting (outcome granted or cancelled), per workflow'),
  approvalRequested: counter('baton_approvals_requested', 'Approval blocks that began waiting for a decision, per workflow'),
  approvalDecided: counter('baton_approvals_decided', 'Approval blocks that stopped waiting (outcome approved, rejected, timed_out or cancelled), per workflow'),
  queueWait(tags: Tags, ms: number): void {
    metricMeter.createHistogram('baton_run_queue_wait', 'int', 'ms', 'Time a queued run waited for its slot').record(Math.max(0, Math.round(ms)), tags);
  },
};

/** Counts the run's start and how it ended. */
export async function withRunMetrics(input: BatonRunInput, run: () => Promise<BatonRunResult>): Promise<BatonRunResult> {
  const tags = { workflow: input.plan.name };
  runMetrics.started(tags);
  try {
    const result = await run();
    runMetrics.completed(tags);
    return result;
  } catch (error) {
    if (isCancellation(error)) runMetrics.cancelled(tags);
    else runMetrics.failed(tags);
    throw error;
  }
}
