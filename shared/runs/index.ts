export { newRunId, startRun, type RunHandle, type TriggerData } from './start-run.ts';
export { readRunOutput, watchRun, type BlockChange, type RunOutcome } from './watch-run.ts';
