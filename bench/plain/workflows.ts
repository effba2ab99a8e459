/** The baseline: a plain Temporal workflow doing the same work as the hello workflow, activities in-process. */
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './activities.ts';

const { greet, numbers, summarize } = proxyActivities<typeof activities>({ startToCloseTimeout: '30s' });

export async function plainHello(name: string): Promise<unknown> {
  const [greeting, sum] = await Promise.all([greet(name), numbers()]);
  return summarize(greeting, sum);
}
