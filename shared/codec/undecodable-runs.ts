/**
 * The worker's answer to a run whose data it cannot decode (sealed under a key
 * its ring lacks, a wrong key under a known id, tampered bytes).
 *
 * The SDK decodes a workflow activation before any workflow code runs, and a
 * decode error fails the workflow task; Temporal retries a failed workflow
 * task forever, so the run would hang with nothing to show for it. No
 * interceptor or failure type reaches that point, so the worker ends such a
 * run itself: it terminates it with the reason (the key id and the cause, never
 * data or key material), which clients see as the run's failure.
 */
import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import { errorMessage } from '../errors/index.ts';

export interface UndecodableRun {
  readonly namespace: string;
  readonly workflowId: string;
}

/** Ends a run; the worker passes one that calls TerminateWorkflowExecution. */
export type EndRun = (run: UndecodableRun, reason: string) => Promise<void>;

/** Enough to end each run once while its workflow task is retried, without growing forever. */
const REMEMBERED_RUNS = 1000;

export class EndUndecodableRuns implements PayloadCodec {
  private readonly ended = new Set<string>();

  constructor(
    /** The codec it guards: the clients' own (one data converter for all). */
    readonly inner: PayloadCodec,
    private readonly endRun: EndRun,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return this.inner.encode(payloads, context);
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    try {
      return await this.inner.decode(payloads, context);
    } catch (error) {
      // Activity payloads carry the workflow that scheduled them, so either way the run is known.
      if (isCodecError(error) && context?.workflowId) await this.end({ namespace: context.namespace, workflowId: context.workflowId }, error.message);
      throw error;
    }
  }

  private async end(run: UndecodableRun, cause: string): Promise<void> {
    const key = `${run.namespace}/${run.workflowId}`;
    if (this.ended.has(key)) return;
    if (this.ended.size >= REMEMBERED_RUNS) this.ended.clear();
    this.ended.add(key);
    this.log(`baton worker: ending run ${run.workflowId}, its data cannot be decoded: ${cause}`);
    try {
      await this.endRun(run, `Baton cannot decode this run's data: ${cause}`);
    } catch (error) {
      // The next attempt of the workflow task tries again.
      this.ended.delete(key);
      this.log(`baton worker: could not end run ${run.workflowId}: ${errorMessage(error)}`);
    }
  }
}

function isCodecError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'CodecError';
}
