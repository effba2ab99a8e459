/**
 * `npm run bench -- load [--runs=2000] [--rate=25]`: runs started through
 * the HTTP API at a steady rate against `baton dev` as a user runs it (its
 * own process, in a scratch directory: the dev server on a SQLite file, the
 * Lambda endpoint, the worker and the API), then checked: every accepted run
 * completed (none lost), Temporal holds exactly the runs the API accepted and
 * each run's output is its own request's (none duplicated or crossed), with
 * a latency summary. Writes bench/results/load.md.
 */
import type { WorkflowExecutionInfo } from '@temporalio/client';
import proto from '@temporalio/proto';
import { loadConfig } from '../shared/config/index.ts';
import { openResultStore } from '../shared/store/index.ts';
import { connectClient } from '../shared/temporal/index.ts';
import { startBatonDev } from './support/baton-dev.ts';
import { describeMachine } from './support/machine.ts';
import { numberOption } from './support/options.ts';
import { writeResult } from './support/results.ts';
import { fixed, mib, summarize } from './support/stats.ts';
import { cpuMs, rssBytes } from './support/usage.ts';
import { storeKeys } from '../shared/contract/index.ts';

const NAMESPACE = 'baton-load';
const WORKFLOW = 'load-probe';
const WARMUP_RUNS = 20;
const SETTLE_TIMEOUT_MS = 600_000;

/** Three code blocks, two in parallel and a join; the output names the request it came from. */
const PROBE = `
name: ${WORKFLOW}
blocks:
  - id: stamp
    type: code
    code: "return { seq: trigger.data.seq }"
  - id: square
    type: code
    code: "return trigger.data.seq * trigger.data.seq"
  - id: result
    type: code
    after: [stamp, square]
    code: "return { seq: stamp.data.seq, square: square.data }"
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

interface Sent {
  readonly seq: number;
  readonly status: number;
  readonly runId?: string;
  readonly error?: string;
  readonly acceptMs: number;
}

export async function main(argv: readonly string[]): Promise<void> {
  const runs = numberOption(argv, 'runs', 2000, true);
  const rate = numberOption(argv, 'rate', 10);
  const baton = await startBatonDev(NAMESPACE, { [`${WORKFLOW}.yaml`]: PROBE });
  const { api, env, temporalPid } = baton;
  const dev = baton.process;
  try {
    const config = loadConfig(env);
    const client = await connectClient(env, config);
    const store = openResultStore(config.resultsUrl, config.keyRing);

    const post = async (seq: number): Promise<Sent> => {
      const started = performance.now();
      try {
        const response = await baton.post(`/v1/workflows/${WORKFLOW}/runs`, { seq });
        const body = (await response.json()) as { runId?: string; error?: { message?: string } };
        return {
          seq,
          status: response.status,
          acceptMs: performance.now() - started,
          ...(body.runId ? { runId: body.runId } : {}),
          ...(body.error ? { error: body.error.message ?? 'error' } : {}),
        };
      } catch (error) {
        return { seq, status: 0, acceptMs: performance.now() - started, error: String(error) };
      }
    };

    console.error(`load: baton dev up (API ${api}); ${WARMUP_RUNS} warm-up runs, then ${runs} runs at ${rate}/s`);
    const warmup = await Promise.all(Array.from({ length: WARMUP_RUNS }, (_, i) => post(-1 - i)));
    const cpuStart = { dev: cpuMs(dev.pid), temporal: temporalPid ? cpuMs(temporalPid) : NaN };
    const rssStart = rssBytes(dev.pid);
    let rssPeak = rssStart;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssBytes(dev.pid))), 500);
    const loadStart = performance.now();
    const pending: Array<Promise<Sent>> = [];
    for (let seq = 0; seq < runs; seq++) {
      await sleep(loadStart + (seq * 1000) / rate - performance.now());
      pending.push(post(seq));
    }
    const sent = await Promise.all(pending);
    const sendSeconds = (performance.now() - loadStart) / 1000;

    const accepted = [...warmup, ...sent].filter((s) => s.status === 202 && s.runId);
    const expected = new Map(accepted.map((s) => [s.runId!, s.seq]));
    // Wait for Temporal to say every run it holds is closed, and read what it holds.
    const settleBy = Date.now() + SETTLE_TIMEOUT_MS;
    let executions: WorkflowExecutionInfo[] = [];
    for (;;) {
      executions = [];
      for await (const execution of client.workflow.list({ query: `WorkflowType = 'batonRun'` })) executions.push(execution);
      const open = executions.filter((e) => e.status.name === 'RUNNING').length;
      if (open === 0 && executions.length >= expected.size) break;
      if (Date.now() > settleBy) break;
      await sleep(1000);
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    clearInterval(sampler);
    const cpu = { dev: cpuMs(dev.pid) - cpuStart.dev, temporal: temporalPid ? cpuMs(temporalPid) - cpuStart.temporal : NaN };
    const rssEnd = rssBytes(dev.pid);

    // Checks: none lost, none duplicated, none crossed.
    const problems: string[] = [];
    const refused = sent.filter((s) => s.status !== 202);
    for (const s of refused.slice(0, 5)) problems.push(`request ${s.seq} answered ${s.status}: ${s.error ?? ''}`);
    if (refused.length > 5) problems.push(`... and ${refused.length - 5} more refused requests`);
    if (expected.size !== accepted.length) problems.push(`the API gave ${accepted.length - expected.size} run ids twice`);
    const held = new Set(executions.map((e) => e.workflowId));
    const lost = [...expected.keys()].filter((runId) => !held.has(runId));
    const unknown = executions.filter((e) => !expected.has(e.workflowId));
    const notCompleted = executions.filter((e) => e.status.name !== 'COMPLETED');
    if (lost.length > 0) problems.push(`${lost.length} accepted runs not in Temporal (lost), e.g. ${lost.slice(0, 3).join(', ')}`);
    if (unknown.length > 0) problems.push(`${unknown.length} runs in Temporal the API never answered with (duplicated)`);
    if (executions.length !== held.size) problems.push(`${executions.length - held.size} run ids held twice`);
    for (const e of notCompleted.slice(0, 5)) problems.push(`run ${e.workflowId} ended ${e.status.name}`);
    let crossed = 0;
    const ids = [...expected.entries()];
    for (let i = 0; i < ids.length; i += 64) {
      await Promise.all(
        ids.slice(i, i + 64).map(async ([runId, seq]) => {
          const output = await store.getJson<{ result?: { seq?: number } }>(storeKeys.output(runId)).catch(() => undefined);
          if (output?.result?.seq !== seq) crossed++;
        }),
      );
    }
    if (crossed > 0) problems.push(`${crossed} runs whose output is not their own request's`);

    const measured = executions.filter((e) => (expected.get(e.workflowId) ?? -1) >= 0 && e.closeTime);
    const endToEnd = summarize(measured.map((e) => e.closeTime!.getTime() - e.startTime.getTime()));
    const accept = summarize(sent.map((s) => s.acceptMs));
    // Where the slowest run waited longest: the widest gap between two events of its history.
    const slowest = [...measured].sort((a, b) => b.closeTime!.getTime() - b.startTime.getTime() - (a.closeTime!.getTime() - a.startTime.getTime()))[0];
    let slowestWait = '';
    if (slowest) {
      const { events } = await client.workflow.getHandle(slowest.workflowId).fetchHistory();
      const EventType = proto.temporal.api.enums.v1.EventType;
      const times = (events ?? []).map((e) => ({ at: Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6, type: EventType[e.eventType ?? 0] ?? '?' }));
      let widest = { ms: 0, from: '', to: '' };
      for (let i = 1; i < times.length; i++) {
        const ms = times[i]!.at - times[i - 1]!.at;
        if (ms > widest.ms) widest = { ms, from: times[i - 1]!.type, to: times[i]!.type };
      }
      slowestWait = `Slowest run ${slowest.workflowId}: its longest wait was ${fixed(widest.ms, 0)} ms, from ${widest.from} to ${widest.to}.`;
    }
    const machine = describeMachine();
    const lines = [
      `# Load: ${runs} runs through the HTTP API at ${rate}/s`,
      '',
      `Machine: ${machine}. Command: \`npm run bench -- load --runs=${runs} --rate=${rate}\`. The stack is \`baton dev\` (one process: API, worker, Lambda endpoint, executors; the Temporal dev server on a SQLite file as its child), started in a scratch directory; the workflow is three code blocks (two in parallel, a join). Latencies are from Temporal's start and close times.`,
      '',
      '| | count | p50 ms | p90 ms | p99 ms | max ms |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      `| API accept (POST → 202) | ${accept.count} | ${fixed(accept.p50)} | ${fixed(accept.p90)} | ${fixed(accept.p99)} | ${fixed(accept.max)} |`,
      `| run, start → end | ${endToEnd.count} | ${fixed(endToEnd.p50)} | ${fixed(endToEnd.p90)} | ${fixed(endToEnd.p99)} | ${fixed(endToEnd.max)} |`,
      '',
      `Sent in ${fixed(sendSeconds)} s (${fixed(runs / sendSeconds)} runs/s offered); all settled ${fixed(loadSeconds)} s after the first request.`,
      `\`baton dev\` process: ${fixed(cpu.dev / 1000 / loadSeconds * 100, 0)} % CPU, RSS ${mib(rssStart)} → ${mib(rssEnd)} MiB (peak ${mib(rssPeak)}); Temporal dev server: ${fixed(cpu.temporal / 1000 / loadSeconds * 100, 0)} % CPU (100 % = one core).`,
      '',
      slowestWait,
      `Accepted ${sent.filter((s) => s.status === 202).length} of ${runs}; in Temporal ${executions.length} runs (with ${WARMUP_RUNS} warm-up runs), completed ${executions.length - notCompleted.length}; lost ${lost.length}; duplicated ${unknown.length}; outputs not their own ${crossed}.`,
      problems.length === 0 ? 'Checks: none lost, none duplicated, every output its own request\'s.' : `PROBLEMS:\n${problems.map((p) => `- ${p}`).join('\n')}`,
      '',
    ];
    const report = lines.join('\n');
    console.log(`\n${report}`);
    writeResult('load.md', report);
    await client.connection.close();
    if (problems.length > 0) process.exitCode = 1;
  } finally {
    await baton.stop();
  }
}
