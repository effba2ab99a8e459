/**
 * Concurrency limits (docs/design.md, Concurrency limits): one gate workflow
 * per (workflow, key) hands out slots in the order runs entered. Only ids
 * and counts cross it: the key's value is hashed into the gate's id by the
 * client that starts the run, and never reaches Temporal. Pure: workflow
 * code and clients import this alike.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

/** The gate's workflow type. */
export const BATON_GATE = 'batonGate';

export type Overflow = 'queue' | 'reject';

/** What a limited run carries in its input: which gate it entered. */
export interface RunLimit {
  readonly gateId: string;
  readonly limit: number;
  readonly overflow: Overflow;
  /** The gate queued the run when it entered: it shows as queued until its slot is granted. */
  readonly queued?: boolean;
  /** The gate granted the slot as the run entered (its turn): the run goes at once, with no word to the gate. */
  readonly turn?: number;
}

export interface GateEntryState {
  readonly runId: string;
  /** Workflow time the run entered. */
  readonly enteredAt: number;
  /** The run's own workflow has told the gate it is there (it can be signalled). */
  arrived: boolean;
  /** Workflow time the slot was granted; absent while queued. */
  holdingSince?: number;
  /** The order the gate granted slots in: 1 for the first run it let in, and so on. */
  turn?: number;
}

/** The gate's input: its settings, and on continue-as-new the state it carries over. */
export interface GateInput {
  readonly limit: number;
  readonly entries?: readonly GateEntryState[];
  /** Moving average of how long a run holds its slot, for Retry-After. */
  readonly averageHoldMs?: number;
  /** Slots granted so far, carried over continue-as-new so turns keep counting up. */
  readonly turns?: number;
  /** How often entries whose runs may have ended without leaving are checked (tests lower it). */
  readonly checkEveryMs?: number;
  /** Messages handled before the gate continues as new (tests lower it). */
  readonly messagesPerRun?: number;
  /** How old an entry must be before the check asks after its run (tests lower it). */
  readonly arrivalGraceMs?: number;
}

export interface EnterRequest {
  readonly runId: string;
  readonly limit: number;
  readonly overflow: Overflow;
}

export type EnterResult =
  | { readonly state: 'holding'; readonly turn: number }
  | { readonly state: 'queued'; readonly position: number }
  | { readonly state: 'rejected'; readonly retryAfterMs: number };

export interface GateView {
  readonly limit: number;
  readonly holding: number;
  readonly queued: number;
}

/** A start asks for a slot (update-with-start, so the answer comes back in the same round trip). */
export const enterUpdate = defineUpdate<EnterResult, [EnterRequest]>('enter');
/** The run's workflow is there and waits for its slot (signal-with-start from its first activity). */
export const arriveSignal = defineSignal<[{ readonly runId: string }]>('arrive');
/** The run ended, however it ended, or was cancelled while queued. */
export const leaveSignal = defineSignal<[{ readonly runId: string }]>('leave');
/** Sent by the gate to the run: its slot is free to use. */
export const slotGrantedSignal = defineSignal<[{ readonly turn: number }]>('slotGranted');
export const gateQuery = defineQuery<GateView>('gate');

/** The memo key that marks a run as queued (visibility lists it as running); set and cleared by the run itself. */
export const QUEUED_MEMO = 'batonQueued';

/** Default settings of the gate. */
export const GATE_CHECK_EVERY_MS = 30_000;
export const GATE_MESSAGES_PER_RUN = 2_000;
/** A gate with no entries waits this long for the next before it completes. */
export const GATE_IDLE_MS = 60_000;
/** An entry is checked for a run that ended (or never started) only once it is this old: its start may still be on its way. */
export const GATE_ARRIVAL_GRACE_MS = 30_000;
/** The Retry-After of a rejected start is at least this and at most MAX_RETRY_AFTER_MS. */
export const MIN_RETRY_AFTER_MS = 1_000;

/** The activities the gate and the limited run call: each is one Temporal client call. */
export interface GateActivities {
  /** Signal-with-start: tells the gate the run is there, starting it if it had gone idle. */
  arriveAtGate(input: { readonly gateId: string; readonly limit: number; readonly runId: string }): Promise<void>;
  /** Which of these runs are no longer running (closed, or never started). */
  endedRuns(input: { readonly runIds: readonly string[] }): Promise<string[]>;
}
