/**
 * batonGate: the semaphore of one (workflow, key). Runs enter in order (the
 * `enter` update, with-start, from the client that starts the run). A run
 * that finds a free slot holds it from that answer on and goes at once; one
 * that is queued arrives when its workflow is up (a signal-with-start from
 * its first activity) and is granted its slot by signal, in the order the
 * runs entered. Every run leaves when it ends (a signal from the run's own
 * finally). A run that ends
 * without leaving (terminated, timed out) or a start that failed half-way is
 * found by the periodic check of entries (one activity describing their
 * runs), so a slot is freed however its run ended.
 *
 * The gate holds ids and times only, and continues as new every few
 * thousand messages with its entries, so its history stays short; with no
 * entries for a minute it completes, and the next start begins a new one.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import {
  arriveSignal,
  enterUpdate,
  gateQuery,
  leaveSignal,
  slotGrantedSignal,
  GATE_ARRIVAL_GRACE_MS,
  GATE_CHECK_EVERY_MS,
  GATE_IDLE_MS,
  GATE_MESSAGES_PER_RUN,
  MAX_RETRY_AFTER_MS,
  MIN_RETRY_AFTER_MS,
  type EnterResult,
  type GateActivities,
  type GateEntryState,
  type GateInput,
} from '../../shared/contract/index.ts';

const gateActivities = proxyActivities<GateActivities>({
  startToCloseTimeout: '1m',
  retry: { initialInterval: '1s', maximumInterval: '30s', backoffCoefficient: 2 },
});

/** Weight of the newest hold time in the moving average. */
const HOLD_AVERAGE_WEIGHT = 0.2;

export async function batonGate(input: GateInput): Promise<void> {
  let limit = input.limit;
  const checkEveryMs = input.checkEveryMs ?? GATE_CHECK_EVERY_MS;
  const messagesPerRun = input.messagesPerRun ?? GATE_MESSAGES_PER_RUN;
  const arrivalGraceMs = input.arrivalGraceMs ?? GATE_ARRIVAL_GRACE_MS;
  /** In the order the runs entered: a Map keeps insertion order, which is the queue's. */
  const entries = new Map<string, GateEntryState>((input.entries ?? []).map((entry) => [entry.runId, { ...entry }]));
  let averageHoldMs = input.averageHoldMs;
  let turns = input.turns ?? 0;
  let messages = 0;
  let changed = true;
  let lastCheck = Date.now();
  const grants = new Set<Promise<void>>();

  const holders = () => [...entries.values()].filter((entry) => entry.holdingSince !== undefined);
  const waiting = () => [...entries.values()].filter((entry) => entry.holdingSince === undefined);

  function grant(entry: GateEntryState): void {
    const sent = getExternalWorkflowHandle(entry.runId)
      .signal(slotGrantedSignal, { turn: entry.turn ?? 0 })
      .catch(() => {
        // The run is gone (it ended before its slot came): the slot goes to the next.
        entries.delete(entry.runId);
        changed = true;
      })
      .finally(() => grants.delete(sent));
    grants.add(sent);
  }

  /** Hands free slots to the waiting runs, first entered first. A run that has not arrived keeps its place. */
  function admit(): void {
    let free = limit - holders().length;
    for (const entry of waiting()) {
      if (free <= 0) break;
      entry.holdingSince = Date.now();
      entry.turn = turns += 1;
      free -= 1;
      if (entry.arrived) grant(entry);
    }
  }

  function leave(runId: string): void {
    const entry = entries.get(runId);
    if (!entry) return;
    entries.delete(runId);
    if (entry.holdingSince !== undefined) {
      const held = Date.now() - entry.holdingSince;
      averageHoldMs = averageHoldMs === undefined ? held : averageHoldMs + HOLD_AVERAGE_WEIGHT * (held - averageHoldMs);
    }
  }

  function retryAfterMs(): number {
    const soonest = Math.min(...holders().map((entry) => entry.holdingSince ?? Date.now()));
    const estimate = (averageHoldMs ?? MIN_RETRY_AFTER_MS) - (Date.now() - soonest);
    return Math.min(Math.max(Math.ceil(estimate), MIN_RETRY_AFTER_MS), MAX_RETRY_AFTER_MS);
  }

  setHandler(enterUpdate, (request): EnterResult => {
    messages += 1;
    changed = true;
    limit = request.limit;
    const known = entries.get(request.runId);
    if (!known) {
      const full = holders().length >= limit || waiting().length > 0;
      if (request.overflow === 'reject' && full) return { state: 'rejected', retryAfterMs: retryAfterMs() };
      entries.set(request.runId, { runId: request.runId, enteredAt: Date.now(), arrived: false });
      admit();
    }
    const entry = entries.get(request.runId);
    if (entry?.holdingSince !== undefined) return { state: 'holding', turn: entry.turn ?? 0 };
    return { state: 'queued', position: waiting().findIndex((waiter) => waiter.runId === request.runId) + 1 };
  });

  setHandler(arriveSignal, ({ runId }) => {
    messages += 1;
    changed = true;
    const entry = entries.get(runId);
    // A run whose entry was lost (it arrived after its start was taken for failed) queues at the end.
    if (!entry) entries.set(runId, { runId, enteredAt: Date.now(), arrived: true });
    else if (!entry.arrived) {
      entry.arrived = true;
      if (entry.holdingSince !== undefined) grant(entry);
    } else if (entry.holdingSince !== undefined) {
      // Arrived twice (its activity retried): the grant may have been lost with the first, so send it again.
      grant(entry);
    }
  });

  setHandler(leaveSignal, ({ runId }) => {
    messages += 1;
    changed = true;
    leave(runId);
  });

  setHandler(gateQuery, () => ({ limit, holding: holders().length, queued: waiting().length }));

  /**
   * Entries that may stand for runs that ended without leaving: holders, and
   * entries whose run never arrived; each once it is older than the grace, so
   * a run whose start is still on its way is not taken for one that failed.
   */
  function suspects(): string[] {
    const now = Date.now();
    return [...entries.values()]
      .filter((entry) => (entry.holdingSince !== undefined || !entry.arrived) && now - entry.enteredAt >= arrivalGraceMs)
      .map((entry) => entry.runId);
  }

  async function dropEndedRuns(): Promise<void> {
    lastCheck = Date.now();
    const runIds = suspects();
    if (runIds.length === 0) return;
    for (const runId of await gateActivities.endedRuns({ runIds })) {
      leave(runId);
      changed = true;
    }
  }

  /**
   * How often entries are checked for runs that ended without leaving: often
   * while runs wait behind full slots (a leaked slot delays them), once per
   * idle period otherwise (so a leaked entry cannot keep the gate open forever).
   */
  const checkInterval = () => (waiting().length > 0 ? checkEveryMs : GATE_IDLE_MS);
  for (;;) {
    admit();
    const wake = entries.size === 0 ? GATE_IDLE_MS : Math.max(checkInterval() - (Date.now() - lastCheck), 1);
    changed = false;
    const woken = await condition(() => changed, wake);
    if (!woken && entries.size === 0) break;
    // By the clock, not by the timer alone: a gate that never goes a moment without a message still checks.
    if (entries.size > 0 && Date.now() - lastCheck >= checkInterval()) await dropEndedRuns();
    if (messages >= messagesPerRun || workflowInfo().continueAsNewSuggested) {
      admit();
      await condition(() => allHandlersFinished() && grants.size === 0);
      await continueAsNew<typeof batonGate>({
        limit,
        entries: [...entries.values()],
        ...(averageHoldMs !== undefined ? { averageHoldMs } : {}),
        turns,
        checkEveryMs,
        messagesPerRun,
        arrivalGraceMs,
      });
    }
  }
  await condition(() => allHandlersFinished() && grants.size === 0);
}
