export { idempotentRunId, newRunId, startRun, startRunSync, type RunHandle, type StartRunOptions, type StartedRun, type SyncOutcome, type TriggerData } from './start-run.ts';
export { BATON_WORKFLOW_ATTRIBUTE, batonWorkflowKey, ensureSearchAttribute, visibilityString } from './search-attributes.ts';
export { readRunOutput, watchRun, type BlockChange, type RunOutcome } from './watch-run.ts';
export { blockDetail, cancelRun, listRuns, rerunRun, runStatus, type BlockDetail, type RerunOptions, type RunSummary } from './operations.ts';
export { listRunPage, MAX_PAGE_SIZE, RUN_LIST_STATUSES, storeRunIdOf, type RunListEntry, type RunListStatus, type RunPage, type RunPageOptions } from './run-pages.ts';
export { runEnding, type RunEnding } from './run-ending.ts';
export { runGraph, type GraphBlock, type GraphEdge, type RunGraph } from './run-graph.ts';
export { gateIdOf, type GateTuning } from './run-limit.ts';
export { approvalInfo, approvalView, decideApproval, MAX_COMMENT_CHARS, type ApprovalView, type DecideOptions, type DecisionView } from './approvals.ts';
