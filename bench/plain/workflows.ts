/**
 * The baselines: plain Temporal workflows doing the same work as the
 * benchmark shapes (bench/shapes/shapes.ts), written directly against the SDK
 * with in-process activities and no result store. `plain*` use regular
 * activities (one server round trip per activity, as Baton's blocks do
 * today); `plainLocal*` the same code on local activities, which run in the
 * worker's own workflow task with no round trip: the limit of this stack.
 */
import { proxyActivities, proxyLocalActivities, type ActivityInterfaceFor } from '@temporalio/workflow';
import type * as activityModule from './activities.ts';

type Activities = ActivityInterfaceFor<typeof activityModule>;
const regular = proxyActivities<typeof activityModule>({ startToCloseTimeout: '30s' });
const local = proxyLocalActivities<typeof activityModule>({ startToCloseTimeout: '30s' });

export interface ShapeInput {
  readonly n: number;
  readonly items?: number[];
}

const hello = ({ greet, numbers, summarize }: Activities) => async (input: { name: string }): Promise<unknown> => {
  const [greeting, sum] = await Promise.all([greet(input.name), numbers()]);
  return summarize(greeting, sum);
};

const single = ({ increment }: Activities) => async (input: ShapeInput): Promise<number> => {
  return increment(input.n);
};

const chain = ({ increment }: Activities) => async (input: ShapeInput & { length: number }): Promise<number> => {
  let n = input.n;
  for (let i = 0; i < input.length; i++) n = await increment(n);
  return n;
};

const fanOut = ({ scale, total }: Activities) => async (input: ShapeInput & { width: number }): Promise<number> => {
  const values = await Promise.all(Array.from({ length: input.width }, (_, i) => scale(input.n, i + 1)));
  return total(values);
};

const loop = ({ listItems, square }: Activities) => async (input: ShapeInput & { concurrency: number }): Promise<number[]> => {
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
};

export const plainHello = hello(regular);
export const plainSingle = single(regular);
export const plainChain = chain(regular);
export const plainFanOut = fanOut(regular);
export const plainLoop = loop(regular);

export const plainLocalHello = hello(local);
export const plainLocalSingle = single(local);
export const plainLocalChain = chain(local);
export const plainLocalFanOut = fanOut(local);
export const plainLocalLoop = loop(local);
