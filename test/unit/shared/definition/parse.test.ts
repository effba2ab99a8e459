import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatPath, loadDefinitionFile, parseDefinition, parseDefinitionText, type CodeBlock } from '../../../../shared/definition/index.ts';
import { DefinitionError } from '../../../../shared/errors/index.ts';
import { block, issuesOf, workflow } from './helpers.ts';

describe('valid definitions', () => {
  it('workflows/hello.yaml validates, with defaults filled in', async () => {
    const definition = await loadDefinitionFile('workflows/hello.yaml');
    expect(definition.name).toBe('hello');
    expect(definition.blocks.map((b) => b.id)).toEqual(['greeting', 'numbers', 'summary']);
    const [greeting, numbers, summary] = definition.blocks as CodeBlock[];
    expect(greeting!.language).toBe('javascript');
    expect(numbers!.language).toBe('typescript');
    expect(summary!.after).toEqual(['greeting', 'numbers']);
    expect(greeting!).toMatchObject({ after: [], timeoutMs: 30_000, onError: 'fail', retry: { maxAttempts: 1 } });
    expect(parseDefinition(await readFile('workflows/hello.yaml', 'utf8'), 'hello.yaml')).toEqual(definition);
  });

  it('accepts JSON text too', () => {
    const definition = parseDefinition('{"name":"j","blocks":[{"id":"a","type":"code","code":"return 1"}]}', 'j.json');
    expect((definition.blocks[0] as CodeBlock).code).toBe('return 1');
  });

  it('reports a missing file as a DefinitionError', async () => {
    await expect(loadDefinitionFile('workflows/no-such-file.yaml')).rejects.toThrow(/file not found/);
  });
});

describe('errors with their paths', () => {
  it('an unknown field (typo) on a block', () => {
    const yaml = 'name: test\nblocks:\n  - id: a\n    type: code\n    code: return 1\n    timeoutMS: 5\n';
    expect(issuesOf(yaml)).toEqual([{ path: 'blocks[0].timeoutMS', message: 'unknown field' }]);
  });

  it('an unknown field at top level', () => {
    expect(issuesOf(`descripton: oops\n${workflow(block('a'))}`)).toEqual([{ path: 'descripton', message: 'unknown field' }]);
  });

  it('a duplicate id', () => {
    expect(issuesOf(workflow(block('a'), block('b'), block('a')))).toEqual([
      { path: 'blocks[2].id', message: 'duplicate block id "a" (also blocks[0])' },
    ]);
  });

  it.each(['"1abc"', '"my-block"', '"a b"'])('an id that is not a JS identifier: %s', (id) => {
    expect(issuesOf(workflow(block('ok'), block(id)))).toEqual([{ path: 'blocks[1].id', message: expect.stringContaining('must be a JavaScript identifier') }]);
  });

  it.each(['trigger', 'context', 'return'])('a reserved id: %s', (id) => {
    expect(issuesOf(workflow(block(id)))).toEqual([{ path: 'blocks[0].id', message: `"${id}" is a reserved name` }]);
  });

  it('an unknown `after` reference', () => {
    expect(issuesOf(workflow(block('a'), block('b', 'after: [a, nope]')))).toEqual([
      { path: 'blocks[1].after[1]', message: 'unknown block "nope"' },
    ]);
  });

  it('a cycle, naming its blocks', () => {
    const issues = issuesOf(workflow(block('a', 'after: [c]'), block('b', 'after: [a]'), block('c', 'after: [b]'), block('d')));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('blocks');
    expect(issues[0]!.message).toMatch(/^cycle: /);
    for (const id of ['a', 'b', 'c']) expect(issues[0]!.message).toContain(id);
    expect(issues[0]!.message).not.toContain('d');
  });

  it('an unknown block type', () => {
    const issues = issuesOf(workflow('  - {id: a, type: sql, code: "x"}\n'));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('blocks[0].type');
    expect(issues[0]!.message).toMatch(/^unknown block type "sql"/);
  });

  it('a bad workflow name and an empty block list', () => {
    expect(issuesOf('name: Not Valid\nblocks: []\n').map((i) => i.path)).toEqual(['name', 'blocks']);
    expect(issuesOf('')).toEqual([{ path: '', message: 'a definition must be an object with name and blocks' }]);
  });

  it('reports several errors at once, not just the first', () => {
    const yaml =
      'name: test\ntriggers: []\nextra: 1\nblocks:\n' +
      block('a', 'colour: red') +
      block('trigger') +
      '  - {id: q, type: nope}\n' +
      '  - {id: s, type: code, code: "return ("}\n';
    const issues = issuesOf(yaml);
    expect(issues.map((i) => i.path)).toEqual(['triggers', 'extra', 'blocks[0].colour', 'blocks[1].id', 'blocks[2].type', 'blocks[3].code']);
    expect(issues.length).toBeGreaterThan(1);
  });
});

describe('malformed YAML', () => {
  it('is reported with its line', () => {
    const yaml = 'name: test\nblocks:\n  - id: a\n    type: code\n   code: return 1\n';
    const issues = issuesOf(yaml);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]!.path).toMatch(/^line 5, column \d+$/);
  });

  it('an unclosed flow sequence names its line', () => {
    const issues = issuesOf('name: test\n\n\nblocks: [\n');
    expect(issues[0]!.path).toMatch(/^line \d+, column \d+$/);
    expect(Number(/line (\d+)/.exec(issues[0]!.path)![1])).toBeGreaterThanOrEqual(4);
  });

  it('a duplicate key is an error with its line, not a silent overwrite', () => {
    expect(() => parseDefinitionText('name: a\nname: b\n', 'dup.yaml')).toThrow(DefinitionError);
    expect(issuesOf(`name: a\n${workflow(block('a'))}`)[0]!.path).toBe('line 2, column 1');
  });
});

describe('formatPath', () => {
  it('joins keys with dots and indexes with brackets', () => {
    expect(formatPath(['blocks', 2, 'after', 0])).toBe('blocks[2].after[0]');
    expect(formatPath(['retry', 'maxAttempts'])).toBe('retry.maxAttempts');
    expect(formatPath([])).toBe('');
  });
});
