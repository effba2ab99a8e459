/**
 * Runs the worker for the life of the process, and keeps it connected across
 * certificate rotation. The worker's connection is native (Rust) and takes
 * its TLS material once, so when the certificate files change the runner
 * connects again with the new files, starts a second worker on that
 * connection, and only then drains the first one: polling never stops, and
 * what the old worker has in flight finishes on the connection it started on.
 * A change that does not connect (a rotation caught halfway, a wrong key) is
 * logged and the current worker keeps going.
 */
import type { NativeConnection, Worker, State as WorkerState } from '@temporalio/worker';
import type { BatonConfig, Env } from '../shared/config/index.ts';
import { errorMessage } from '../shared/errors/index.ts';
import { temporalSettings, watchFileContents, type FileWatch, type TemporalSettings } from '../shared/temporal/index.ts';
import { connectWorkerWith } from './connect.ts';

export interface WorkerRunnerOptions {
  readonly env: Env;
  readonly config: BatonConfig;
  /** Builds a worker on a fresh connection (called again after each certificate change). */
  createWorker(connection: NativeConnection, settings: TemporalSettings): Promise<Worker>;
  readonly log?: (line: string) => void;
}

export interface WorkerRunner {
  readonly settings: TemporalSettings;
  /** The state of the worker that is polling now. */
  state(): WorkerState;
  /** How many times the runner reconnected after the certificate files changed. */
  reconnects(): number;
  /** Stops polling, lets in-flight tasks finish, and resolves run(). */
  shutdown(): void;
  /** Resolves once the worker has stopped after shutdown(); rejects if it fails. */
  run(): Promise<void>;
}

interface Generation {
  readonly connection: NativeConnection;
  readonly worker: Worker;
  readonly running: Promise<void>;
}

async function drain(generation: Generation): Promise<void> {
  if (generation.worker.getState() === 'RUNNING') generation.worker.shutdown();
  await generation.running.catch(() => {});
  await generation.connection.close();
}

export async function startWorkerRunner(options: WorkerRunnerOptions): Promise<WorkerRunner> {
  const log = options.log ?? (() => {});
  const settings = temporalSettings(options.env, options.config);

  async function startGeneration(current: TemporalSettings): Promise<Generation> {
    const connection = await connectWorkerWith(current);
    try {
      const worker = await options.createWorker(connection, current);
      return { connection, worker, running: worker.run() };
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  let current = await startGeneration(settings);
  let stopping = false;
  let reconnects = 0;
  let swap: Promise<boolean> = Promise.resolve(true);

  async function reconnect(): Promise<boolean> {
    if (stopping) return true;
    let next: Generation;
    try {
      next = await startGeneration(temporalSettings(options.env, options.config));
    } catch (error) {
      log(`certificate files changed, but connecting with them failed; keeping the current connection: ${errorMessage(error)}`);
      return false;
    }
    if (stopping) {
      await drain(next);
      return true;
    }
    const previous = current;
    current = next;
    reconnects++;
    log('certificate files changed: reconnected with them; draining the previous connection');
    await drain(previous);
    return true;
  }

  let watch: FileWatch | undefined;
  if (settings.files) {
    watch = watchFileContents(Object.values(settings.files), settings.reloadIntervalMs, () => {
      swap = reconnect();
      return swap;
    });
  }

  return {
    settings,
    state: () => current.worker.getState(),
    reconnects: () => reconnects,
    shutdown() {
      if (stopping) return;
      stopping = true;
      watch?.stop();
      // A swap under way finishes first, so the worker shut down is the one left polling.
      void swap.finally(() => {
        if (current.worker.getState() === 'RUNNING') current.worker.shutdown();
      });
    },
    async run() {
      for (;;) {
        const generation = current;
        try {
          await generation.running;
        } catch (error) {
          if (generation !== current) continue; // the drained one failed on its way out; the new one polls on
          stopping = true;
          watch?.stop();
          await generation.connection.close().catch(() => {});
          throw error;
        }
        if (generation !== current) continue;
        if (!stopping) {
          // Stopped without being asked (by a Runtime shutdown signal, say): nothing polls any more.
          stopping = true;
          watch?.stop();
        }
        await swap;
        if (generation !== current) continue;
        await generation.connection.close();
        return;
      }
    },
  };
}
