/** The workflow bundle's entry: every workflow type the Baton worker serves (their contract: shared/contract/run.ts). */
import type { BatonRunInput, BatonRunResult } from '../../shared/contract/index.ts';
import { batonRun as interpretRun } from './baton-run.ts';
import { withRunLimit } from './run-limit.ts';
import { withRunMetrics } from './run-metrics.ts';

export { batonLoopBatch } from './loop.ts';
export { batonGate } from './gate.ts';

/** batonRun: the interpreter, inside the run's concurrency limit when its workflow has one, counted per workflow. */
export async function batonRun(input: BatonRunInput): Promise<BatonRunResult> {
  return withRunMetrics(input, () => withRunLimit(input, () => interpretRun(input)));
}
