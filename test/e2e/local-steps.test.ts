/**
 * Short blocks run as local activities, which hold the run's workflow task
 * while they run; the server hands the run its queries and cancels only when
 * the worker completes that task. These tests hold a block's HTTP request
 * open at a real local server for HOLD_MS and check that the run still
 * answers its status and takes a cancel meanwhile: the worker completes the
 * task at 80 % of WORKFLOW_TASK_TIMEOUT_MS (3 s), where at Temporal's default
 * of 10 s it would only do so after the held request ended (8 s > HOLD_MS).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import proto from '@temporalio/proto';
import { WORKFLOW_TASK_TIMEOUT_MS } from '../../shared/contract/index.ts';
import { cancelRun, runStatus } from '../../shared/runs/index.ts';
import { startTestStack, type TestStack } from '../support/test-stack.ts';

const HOLD_MS = 6_000;
const EventType = proto.temporal.api.enums.v1.EventType;

let stack: TestStack;
let hold: Server;
/** Resolvers of the tests waiting for the next held request to arrive. */
const arrivals: (() => void)[] = [];
const held = new Set<ServerResponse>();

function nextArrival(): Promise<void> {
  return new Promise((resolve) => arrivals.push(resolve));
}

beforeAll(async () => {
  hold = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    held.add(res);
    arrivals.shift()?.();
    setTimeout(() => {
      held.delete(res);
      if (!res.writableEnded) res.writeHead(200, { 'content-type': 'application/json' }).end('{"held":true}');
    }, HOLD_MS);
  });
  await new Promise<void>((resolve) => hold.listen(0, '127.0.0.1', resolve));
  stack = await startTestStack({
    BATON_RESOURCES: JSON.stringify({ hold: { type: 'http', baseUrl: `http://127.0.0.1:${(hold.address() as AddressInfo).port}` } }),
  });
});
afterAll(async () => {
  await stack?.stop();
  hold?.closeAllConnections();
  await new Promise((resolve) => hold?.close(resolve));
});

const HELD_RUN = `
name: held
blocks:
  - { id: slow, type: http, resource: hold, method: GET, path: /slow }
  - { id: after, type: code, after: [slow], code: "return slow.data.body.held" }
`;

describe('a run whose short block holds its workflow task', () => {
  it('is the test this file means: the task timeout heartbeats well inside HOLD_MS', () => {
    expect(WORKFLOW_TASK_TIMEOUT_MS * 0.8).toBeLessThan(HOLD_MS);
  });

  it('answers its status while the block runs, and ran the block as a local activity', async () => {
    const arrived = nextArrival();
    const { runId, handle } = await stack.begin(HELD_RUN);
    await arrived;
    const status = await runStatus(stack.client, runId);
    expect(held.size, 'the status came while the request was still held').toBe(1);
    expect(status.status).toBe('running');
    expect(status.blocks.slow?.status).toBe('running');
    expect(status.blocks.after?.status).toBe('pending');
    await handle.result();

    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.filter((event) => event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const markers = events.filter((event) => event.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
    expect(scheduled, 'no block ran as a regular activity').toEqual([]);
    expect(markers.length, 'each block, and the store steps, recorded as a local-activity marker').toBeGreaterThanOrEqual(2);
  });

  it('takes a cancel while the block runs', async () => {
    const arrived = nextArrival();
    const { runId, handle } = await stack.begin(HELD_RUN);
    await arrived;
    await cancelRun(stack.client, runId);
    await expect(handle.result()).rejects.toThrow();
    expect(held.size, 'the run was cancelled while its request was still held').toBe(1);
    const status = await runStatus(stack.client, runId);
    expect(status.status).toBe('cancelled');
    expect(status.blocks.after?.status).not.toBe('completed');
  });
});
