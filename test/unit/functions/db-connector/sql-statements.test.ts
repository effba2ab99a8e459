import { describe, expect, it } from 'vitest';
import { splitStatements } from '../../../../functions/db-connector/sql-statements.ts';

const pg = (sql: string, params: unknown[] = []) => splitStatements(sql, params, 'postgres', 'orders');
const my = (sql: string, params: unknown[] = []) => splitStatements(sql, params, 'mysql', 'orders');

describe('splitting PostgreSQL sql into statements', () => {
  it('keeps one statement whole and its values as they are', () => {
    expect(pg('select * from t where a = $1 and b = $2', [1, 'x'])).toEqual([
      { text: 'select * from t where a = $1 and b = $2', values: [1, 'x'] },
    ]);
  });

  it('numbers placeholders across the text and renumbers each statement from $1', () => {
    expect(pg('insert into t values ($1); update t set a = $3 where a = $2; select $1::int', [1, 2, 3])).toEqual([
      { text: 'insert into t values ($1)', values: [1] },
      { text: 'update t set a = $1 where a = $2', values: [3, 2] },
      { text: 'select $1::int', values: [1] },
    ]);
  });

  it('does not split or count inside strings, quoted names, comments and dollar quotes', () => {
    const sql = [
      `select 'a;$1' as "x;$2", E'it\\'s; $3' -- ; $4`,
      `/* ; $5 /* nested ; */ $6 */ , $1`,
      `; do $body$ begin perform 1; end $body$`,
      `; select $$;$2$$, $2`,
    ].join('\n');
    const statements = pg(sql, ['one', 'two']);
    expect(statements).toHaveLength(3);
    expect(statements[0]!.values).toEqual(['one']);
    expect(statements[1]!.text).toBe('do $body$ begin perform 1; end $body$');
    expect(statements[2]).toEqual({ text: 'select $$;$2$$, $1', values: ['two'] });
  });

  it('ignores empty statements (a trailing semicolon, a comment)', () => {
    expect(pg('select 1;\n -- done\n;')).toEqual([{ text: 'select 1', values: [] }]);
  });

  it('refuses params the sql does not use, and placeholders without a value', () => {
    expect(() => pg('select $1', [1, 2])).toThrow('block "orders": sql never uses $2; params has 2 values');
    expect(() => pg('select $2', [1, 2])).toThrow('sql never uses $1');
    expect(() => pg('select $1, $2', [1])).toThrow('sql uses $2; params has 1 value');
  });

  it('refuses sql with no statement', () => {
    expect(() => pg(' ; -- nothing')).toThrow('block "orders": sql holds no statement');
  });
});

describe('splitting MySQL sql into statements', () => {
  it('hands ? placeholders their values in order across statements', () => {
    expect(my('insert into t values (?, ?); select * from t where a = ?', [1, 2, 3])).toEqual([
      { text: 'insert into t values (?, ?)', values: [1, 2] },
      { text: 'select * from t where a = ?', values: [3] },
    ]);
  });

  it('skips ? and ; in strings with backslash escapes, backticks and # comments', () => {
    const statements = my("select 'it\\'s ?;', `a?;b`, \"?;\" # ? ;\n, ?", ['v']);
    expect(statements).toEqual([{ text: "select 'it\\'s ?;', `a?;b`, \"?;\" # ? ;\n, ?", values: ['v'] }]);
  });

  it('refuses a count of values that differs from the placeholders', () => {
    expect(() => my('select ?, ?', [1])).toThrow('block "orders": sql has 2 ? placeholders; params has 1 value');
    expect(() => my('select 1', [1])).toThrow('sql has 0 ? placeholders');
  });
});
