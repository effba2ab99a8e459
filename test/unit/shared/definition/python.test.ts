/** Python code blocks in definitions: mentions found by parsing Python, syntax errors with line and column. */
import { describe, expect, it } from 'vitest';
import { checkPythonSyntax, findPythonMentions } from '../../../../shared/definition/python.ts';
import { compileDefinition, parseDefinition } from '../../../../shared/definition/index.ts';
import { issuesOf } from './helpers.ts';

const candidates = new Set(['trigger', 'orders', 'customers', 'rates']);
const mentions = (code: string) => findPythonMentions(code, candidates);

describe('findPythonMentions', () => {
  it('counts names read, by item or attribute, and in f-strings and comprehensions', () => {
    expect(mentions('return orders["data"]')).toEqual(['orders']);
    expect(mentions('return orders.data.rows')).toEqual(['orders']);
    expect(mentions('print(f"{customers.data}")\nreturn [r for r in rates.data]')).toEqual(['customers', 'rates']);
    expect(mentions('return trigger.data["region"]')).toEqual(['trigger']);
  });

  it('does not count attribute names, strings, comments or keyword arguments', () => {
    expect(mentions('x = foo.orders\n# customers\ns = "rates"\nreturn dict(trigger=1)')).toEqual([]);
  });
});

describe('checkPythonSyntax', () => {
  it('accepts valid Python with a top-level return and modern syntax', () => {
    const code = 'match trigger.data:\n    case {"a": a}:\n        pass\nif (n := len(orders.data)) > 1:\n    pass\nreturn f"{orders.data["x"]!r}"';
    expect(checkPythonSyntax(code, 'p')).toEqual([]);
  });

  it('reports an error with line and column in the user code', () => {
    expect(checkPythonSyntax('x = 1\ndef f(:\n    pass', 'blocks[0].code')).toEqual([
      { path: 'blocks[0].code', message: 'Python syntax error (line 2, column 7): unexpected ":"' },
    ]);
  });

  it('says when the code ends too early', () => {
    expect(checkPythonSyntax('x = [1, 2', 'p')[0]?.message).toBe('Python syntax error (line 1, column 10): the code ended too early');
  });
});

describe('language: python in a definition', () => {
  const definition = `
name: py
blocks:
  - { id: orders, type: code, code: "return 1" }
  - id: total
    type: code
    language: python
    after: [orders]
    code: |
      # customers is not mentioned here
      return sum(r["total"] for r in orders.data)
  - id: each
    type: loop
    after: [orders]
    over: orders.data
    body:
      type: code
      language: python
      code: "return item * index + len(trigger.data)"
`;

  it('compiles mentions from the Python code of blocks and loop bodies', () => {
    const { plan } = compileDefinition(parseDefinition(definition, 'py.yaml'));
    expect(plan.blocks.find((b) => b.id === 'total')?.mentions).toEqual(['orders']);
    const each = plan.blocks.find((b) => b.id === 'each');
    expect(each?.mentions).toEqual(['orders']);
    expect(each && 'body' in each ? each.body?.mentions : undefined).toEqual(['trigger']);
  });

  it('validate reports a Python syntax error with its path, line and column', () => {
    const issues = issuesOf(`name: py\nblocks:\n  - id: bad\n    type: code\n    language: python\n    code: |\n      x = 1\n      return x +\n`);
    expect(issues).toEqual([{ path: 'blocks[0].code', message: 'Python syntax error (line 2, column 11): the code ended too early' }]);
  });

  it('refuses a language it does not know, naming the ones it does', () => {
    const issues = issuesOf(`name: py\nblocks:\n  - { id: bad, type: code, language: ruby, code: "1" }\n`);
    expect(issues[0]?.path).toBe('blocks[0].language');
    expect(issues[0]?.message).toContain('python');
  });
});
