/**
 * The side effect the fault tests watch: an HTTP service that applies a
 * charge once per idempotency key, as a payment API does, and counts every
 * request, so a test can tell "applied twice" from "asked twice, applied once".
 * It can hold its answers (the charge is applied, the caller not told yet),
 * so a test can fault the stack while a block's side effect is in flight.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Ledger {
  readonly url: string;
  /** Charges applied, by idempotency key (each applied once). */
  readonly applied: ReadonlyMap<string, number>;
  /** Requests that carried a key already applied: retries the key made harmless. */
  readonly duplicateRequests: number;
  /** Requests without an idempotency key (a block that forgot it). */
  readonly keylessRequests: number;
  readonly requests: number;
  /** Answers held back until `release()`; each one's charge is already applied. */
  readonly held: number;
  /** From now on, hold every answer until `release()`. */
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startLedger(): Promise<Ledger> {
  const applied = new Map<string, number>();
  let duplicateRequests = 0;
  let keylessRequests = 0;
  let requests = 0;
  let holding = false;
  const waiting: Array<() => void> = [];

  const server = createServer((req, res) => {
    void bodyOf(req).then((text) => {
      requests++;
      const key = req.headers['idempotency-key'];
      let outcome: 'applied' | 'duplicate' | 'no-key';
      if (typeof key !== 'string' || key === '') {
        keylessRequests++;
        outcome = 'no-key';
      } else if (applied.has(key)) {
        duplicateRequests++;
        outcome = 'duplicate';
      } else {
        applied.set(key, Number((JSON.parse(text || '{}') as { amount?: unknown }).amount ?? 0));
        outcome = 'applied';
      }
      const answer = () => {
        const reply = JSON.stringify({ outcome });
        res.writeHead(outcome === 'no-key' ? 400 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
        res.end(reply);
      };
      if (holding) waiting.push(answer);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    applied,
    get duplicateRequests() {
      return duplicateRequests;
    },
    get keylessRequests() {
      return keylessRequests;
    },
    get requests() {
      return requests;
    },
    get held() {
      return waiting.length;
    },
    hold: () => void (holding = true),
    release() {
      holding = false;
      for (const answer of waiting.splice(0)) answer();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
