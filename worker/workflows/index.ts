/** The workflow bundle's entry: every workflow type the Baton worker serves. */
export { batonRun, statusQuery, responseUpdate, type BatonRunInput, type BatonRunResult, type RunResponse } from './baton-run.ts';
export { batonLoopBatch } from './loop.ts';
export type { RunStatus, BlockState, RunState, LoopProgress } from './run-state.ts';
