/** The baseline's activity: a trivial query on a pool of its own. */
import type pg from 'pg';

export function createDbActivities(pool: pg.Pool) {
  return {
    async selectOne(): Promise<unknown> {
      const result = await pool.query('select $1::int as one', [1]);
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}
export type DbActivities = ReturnType<typeof createDbActivities>;
