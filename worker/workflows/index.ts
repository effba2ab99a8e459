/** The workflow bundle's entry: every workflow type the Baton worker serves (their contract: shared/contract/run.ts). */
export { batonRun } from './baton-run.ts';
export { batonLoopBatch } from './loop.ts';
