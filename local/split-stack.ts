/**
 * The parts of the stack as separate processes, as production runs them: the
 * local Lambda endpoint (the executors) in one, each worker in another. The
 * benchmarks read each one's CPU and memory; the fault tests kill and restart
 * them. The caller keeps the Temporal client and the dev server.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { Env } from '../shared/config/index.ts';
import { freePort } from './free-port.ts';
import { spawnTs, type NodeProcess } from './node-process.ts';

const START_TIMEOUT_MS = 120_000;
const WORKER_MAIN = new URL('../worker/main.ts', import.meta.url);
const LAMBDA_MAIN = new URL('./lambda-main.ts', import.meta.url);

export interface LambdaProcess {
  readonly url: string;
  readonly process: NodeProcess;
}

async function failIfExited(proc: NodeProcess, what: string): Promise<never> {
  const code = await proc.exited;
  throw new Error(`${proc.name} exited (code ${code}) before ${what}: ${proc.stderrTail()}`);
}

function deadline(proc: NodeProcess, what: string, ms: number): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${proc.name} not ${what} after ${ms} ms: ${proc.stderrTail()}`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

/** Starts local/lambda-main.ts with the executors' env; resolves once it listens. */
export async function startLambdaProcess(
  env: Env,
  options: { port?: number; name?: string; nodeArgs?: readonly string[] } = {},
): Promise<LambdaProcess> {
  let announce: (url: string) => void = () => {};
  const announced = new Promise<string>((resolve) => (announce = resolve));
  const proc = spawnTs(LAMBDA_MAIN, {
    name: options.name ?? 'lambda endpoint',
    env,
    args: options.port ? ['--port', String(options.port)] : [],
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    onStdoutLine: (line) => {
      try {
        const parsed = JSON.parse(line) as { url?: unknown };
        if (typeof parsed.url === 'string') announce(parsed.url);
      } catch {
        // not the announcement
      }
    },
  });
  const limit = deadline(proc, 'listening', START_TIMEOUT_MS);
  try {
    const url = await Promise.race([announced, failIfExited(proc, 'it listened'), limit.promise]);
    return { url, process: proc };
  } catch (error) {
    await proc.kill();
    throw error;
  } finally {
    limit.clear();
  }
}

/** True once a worker with this pid polls both the workflow and the activity side of the task queue. */
async function polling(client: Client, namespace: string, taskQueue: string, pid: number): Promise<boolean> {
  const { TaskQueueType } = proto.temporal.api.enums.v1;
  const sides = await Promise.all(
    [TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY].map((taskQueueType) =>
      client.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue }, taskQueueType }),
    ),
  );
  // The SDK's default identity is `<pid>@<host>`; pollers of a killed worker stay listed for a while.
  return sides.every((side) => (side.pollers ?? []).some((poller) => poller.identity?.startsWith(`${pid}@`)));
}

export interface WorkerProcessOptions {
  readonly env: Env;
  readonly client: Client;
  readonly namespace: string;
  readonly taskQueue: string;
  /** The entry point; worker/main.ts (the Baton worker) by default. */
  readonly entry?: URL;
  readonly name?: string;
  readonly nodeArgs?: readonly string[];
}

/** Starts a worker process; resolves once it polls its task queue. */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<NodeProcess> {
  // Several workers on one machine: a health port of their own, and metrics on (as in production) on a free port.
  const env = {
    BATON_HEALTH_PORT: '0',
    BATON_METRICS_PORT: String(await freePort()),
    ...options.env,
  };
  const proc = spawnTs(options.entry ?? WORKER_MAIN, {
    name: options.name ?? 'worker',
    env,
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
  const limit = deadline(proc, 'polling', START_TIMEOUT_MS);
  let waiting = true;
  const waitForPolls = async () => {
    while (waiting && !(await polling(options.client, options.namespace, options.taskQueue, proc.pid))) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  try {
    await Promise.race([waitForPolls(), failIfExited(proc, 'it polled'), limit.promise]);
    return proc;
  } catch (error) {
    await proc.kill();
    throw error;
  } finally {
    waiting = false;
    limit.clear();
  }
}
