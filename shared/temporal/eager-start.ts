/**
 * Eager workflow start: a client whose connection is the one a worker in the
 * same process polls with may ask the server to hand a run's first workflow
 * task back in the start's own reply, skipping the trip through matching
 * (the SDK refuses the request on any other connection). `baton dev` and
 * `baton run` start runs that way; a deployed API never shares a worker.
 */
import type { Client } from '@temporalio/client';

const sharing = new WeakSet<Client>();

/** Marks a client built over the NativeConnection of a worker running in this process. */
export function markSharesWorkerConnection(client: Client): void {
  sharing.add(client);
}

export function canStartEagerly(client: Client): boolean {
  return sharing.has(client);
}
