/**
 * The baseline: plain Temporal workflows doing the same work as the benchmark
 * shapes (bench/shapes/shapes.ts), written directly against the SDK with
 * in-process activities and no result store.
 */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { greet, numbers, summarize, increment, scale, total, listItems, square } = proxyActivities<typeof activities>({
  startToCloseTimeout: '30s',
});

export interface ShapeInput {
  readonly n: number;
  readonly items?: number[];
}

export async function plainHello(input: { name: string }): Promise<unknown> {
  const [greeting, sum] = await Promise.all([greet(input.name), numbers()]);
  return summarize(greeting, sum);
}

export async function plainSingle(input: ShapeInput): Promise<number> {
  return increment(input.n);
}

export async function plainChain(input: ShapeInput & { length: number }): Promise<number> {
  let n = input.n;
  for (let i = 0; i < input.length; i++) n = await increment(n);
  return n;
}

export async function plainFanOut(input: ShapeInput & { width: number }): Promise<number> {
  const values = await Promise.all(Array.from({ length: input.width }, (_, i) => scale(input.n, i + 1)));
  return total(values);
}

export async function plainLoop(input: ShapeInput & { concurrency: number }): Promise<number[]> {
  const items = await listItems(input.items ?? []);
  const results = new Array<number>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await square(items[index] ?? 0);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency, items.length) }, lane));
  return results;
}
