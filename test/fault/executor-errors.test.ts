/**
 * The executor endpoint answers 429 (throttled, the function never ran) and
 * 500 (the function ran, its answer lost) for a while: every run completes,
 * and no charge is applied twice although the lost answers made the worker
 * ask again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chargedOtherThanOnce, notCompleted, startFaultStack, type FaultStack } from './support/fault-stack.ts';

const RUNS = 30;
/**
 * Faults served to the db-connector: fewer than one block's 10 activity
 * attempts (the Lambda client makes one try each: shared/lambda/client.ts),
 * so however they fall, no block runs out of retries; both kinds alternate.
 */
const FAULTS = 9;
let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ proxy: true });
});

afterAll(async () => {
  await stack?.stop();
});

it('completes every run through a spell of 429 and 500 answers, applying each charge once', async () => {
  const proxy = stack.proxy!;
  proxy.injectFaults(stack.config.functions.dbConnector, FAULTS);
  const runIds = await stack.startRuns(RUNS);
  await proxy.faultsServed();
  const settled = await stack.settle(runIds, 120_000);

  expect(notCompleted(settled)).toEqual([]);
  expect(proxy.throttled + proxy.failedAfterRunning).toBe(FAULTS);
  expect(proxy.failedAfterRunning).toBeGreaterThan(0);
  expect(chargedOtherThanOnce(stack.ledger, runIds)).toEqual([]);
  expect(stack.ledger.applied.size).toBe(RUNS * 3);
  expect(stack.ledger.keylessRequests).toBe(0);
  // Each 500 came after the charge was made: the retry asked again, under the same key.
  expect(stack.ledger.duplicateRequests).toBeGreaterThanOrEqual(proxy.failedAfterRunning);
}, 180_000);
