/**
 * The worker is SIGKILLed in the middle of 200 runs, while a block's side
 * effect is in flight, and started again: every run completes, and every
 * charge is applied exactly once although some were asked for twice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chargedOtherThanOnce, notCompleted, startFaultStack, type FaultStack } from './support/fault-stack.ts';

const RUNS = 200;
let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
});

afterAll(async () => {
  await stack?.stop();
});

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 50));
};

it('loses no run and applies no side effect twice when the worker is killed mid-way', async () => {
  const runIds = await stack.startRuns(RUNS);
  // Mid-way: some runs are done, and the ledger has applied charges whose answers it holds back.
  await until(() => stack.ledger.applied.size >= RUNS);
  stack.ledger.hold();
  await until(() => stack.ledger.held > 0);
  const killed = stack.worker;
  await killed.kill();
  expect(killed.alive).toBe(false);
  const inFlightWhenKilled = stack.ledger.held;
  stack.ledger.release();

  await stack.restartWorker();
  // Blocks in flight on the dead worker come back once their heartbeat timeout passes.
  const settled = await stack.settle(runIds, 120_000);

  expect(notCompleted(settled)).toEqual([]);
  for (const run of settled) expect(run.output).toEqual({ receipt: { charged: 200, refunds: 2 } });
  expect(chargedOtherThanOnce(stack.ledger, runIds)).toEqual([]);
  expect(stack.ledger.applied.size).toBe(RUNS * 3);
  expect(stack.ledger.keylessRequests).toBe(0);
  // The charges held when the worker died were asked for again and not applied again.
  expect(stack.ledger.duplicateRequests).toBeGreaterThanOrEqual(inFlightWhenKilled);
  expect(inFlightWhenKilled).toBeGreaterThan(0);
}, 240_000);
