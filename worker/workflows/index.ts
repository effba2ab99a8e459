/** The workflow bundle's entry: every workflow type the Baton worker serves. */
export { batonRun, statusQuery, type BatonRunInput, type BatonRunResult } from './baton-run.ts';
export type { RunStatus, BlockState, RunState } from './run-state.ts';
