/** The Temporal baseline for bench/db.ts: one activity running the same query with node-postgres in-process. */
import { proxyActivities } from '@temporalio/workflow';
import type { DbActivities } from './activities.ts';

const { selectOne } = proxyActivities<DbActivities>({ startToCloseTimeout: '30s' });

export async function plainQuery(): Promise<unknown> {
  return selectOne();
}
