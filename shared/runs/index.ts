export { idempotentRunId, newRunId, startRun, startRunSync, type RunHandle, type StartRunOptions, type StartedRun, type SyncOutcome, type TriggerData } from './start-run.ts';
export { BATON_WORKFLOW_ATTRIBUTE, batonWorkflowKey, ensureSearchAttribute } from './search-attributes.ts';
export { readRunOutput, watchRun, type BlockChange, type RunOutcome } from './watch-run.ts';
export { blockDetail, cancelRun, listRuns, rerunRun, runStatus, type BlockDetail, type RerunOptions, type RunSummary } from './operations.ts';
export { gateIdOf, type GateTuning } from './run-limit.ts';
