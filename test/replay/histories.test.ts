/**
 * The determinism guard: histories recorded from real runs of every block
 * type (test/fixtures/histories, made by `npm run record-histories`) are
 * replayed with the current workflow code. A change that would break runs in
 * flight fails here, before it reaches a worker with runs open.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { keyRingFromEnv } from '../../shared/codec/index.ts';
import { workerDataConverterFor } from '../../shared/codec/index.ts';
import { recordedRuns } from '../fixtures/histories/runs.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'histories');

interface Recording {
  readonly name: string;
  readonly outcome: string;
  readonly executions: ReadonlyArray<{ readonly workflowId: string; readonly history: unknown }>;
}

const readRecordings = (dir: string): Recording[] =>
  readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Recording);

/** Recorded by the current workflow code (`npm run record-histories`). */
const recordings = readRecordings(FIXTURES);
/**
 * Recorded by earlier workflow code and kept when a change made new runs take
 * another path, so the runs still open from before keep replaying:
 * `earlier/finish-run-step` has every run end with a finishRun step, before
 * the last block's executor wrote the output; `earlier/regular-activities`
 * has every step a regular activity, before the local-activities patch (those
 * runs must go on without it: patched() answers false when they replay).
 */
const EARLIER = join(FIXTURES, 'earlier');
const earlierRecordings = readdirSync(EARLIER).flatMap((dir) => readRecordings(join(EARLIER, dir)));

describe('recorded histories', () => {
  it('cover every recorded run, every block type and every run outcome', () => {
    expect(recordings.map((r) => r.name).sort()).toEqual(recordedRuns.map((r) => r.name).sort());
    const text = recordedRuns.map((r) => [r.yaml, ...(r.workflows ?? [])].join('\n')).join('\n');
    for (const type of ['code', 'branch', 'loop', 'wait', 'response', 'workflow']) expect(text).toContain(`type: ${type}`);
    expect(new Set(recordings.map((r) => r.outcome))).toEqual(new Set(['completed', 'failed', 'cancelled']));
    // batches and child runs were recorded as executions of their own
    expect(recordings.find((r) => r.name === 'loop-batched')!.executions.length).toBeGreaterThan(1);
    expect(earlierRecordings.length).toBeGreaterThan(0);
    // The current recordings took the local path, and the regular-activities ones did not.
    const recorded = (r: Recording, marker: string) => JSON.stringify(r.executions).includes(marker);
    expect(recordings.filter((r) => !recorded(r, 'core_patch')).map((r) => r.name)).toEqual([]);
    expect(recordings.filter((r) => recorded(r, 'core_local_activity')).length).toBeGreaterThan(recordings.length / 2);
    const regular = readRecordings(join(EARLIER, 'regular-activities'));
    expect(regular.length).toBe(recordings.length);
    expect(regular.filter((r) => recorded(r, 'core_patch') || recorded(r, 'core_local_activity')).map((r) => r.name)).toEqual([]);
  });

  it('replay without nondeterminism under the current workflow code', async () => {
    const keyRing = keyRingFromEnv({ ENCRYPTION_KEY: readFileSync(join(FIXTURES, 'key.txt'), 'utf8').trim() });
    const histories = [...recordings, ...earlierRecordings].flatMap((recording) =>
      recording.executions.map((execution) => ({ workflowId: execution.workflowId, history: historyFromJSON(execution.history) })),
    );
    const failures: string[] = [];
    let replayed = 0;
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, dataConverter: workerDataConverterFor(keyRing) },
      histories,
    )) {
      replayed++;
      if (result.error) failures.push(`${result.workflowId}: ${result.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(histories.length);
  }, 120_000);
});
