/**
 * Validation reports every error of a definition at once: field errors do not
 * hide graph errors, and template mistakes name the field they are in.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directoryRegistry, parseDefinition } from '../../../../shared/definition/index.ts';
import { DefinitionError } from '../../../../shared/errors/index.ts';
import { block, issuesOf, workflow } from './helpers.ts';

describe('every stage reports', () => {
  it('a field error in one block and an unknown reference in another both come out', () => {
    const issues = issuesOf(workflow(block('a', 'retyr: 2'), block('b', 'after: [nope]')));
    expect(issues).toEqual([
      { path: 'blocks[0].retyr', message: 'unknown field' },
      { path: 'blocks[1].after[0]', message: 'unknown block "nope"' },
    ]);
  });

  it('an invalid block still counts as a block others may wait for, and its own after is checked', () => {
    const issues = issuesOf(workflow('  - {id: a, type: query, after: [ghost]}\n', block('b', 'after: [a]')));
    expect(issues.map((i) => i.path)).toContain('blocks[0].after[0]');
    expect(issues.find((i) => i.path === 'blocks[0].after[0]')!.message).toBe('unknown block "ghost"');
    expect(issues.some((i) => i.path.startsWith('blocks[1]'))).toBe(false);
  });

  it('a bad name, a syntax error and a mention that cannot have run are reported together', () => {
    const issues = issuesOf(`name: Bad_Name\nblocks:\n${block('a')}  - {id: b, type: code, code: "return (1"}\n  - {id: c, type: code, code: "return a.data"}\n`);
    expect(issues.map((i) => i.path)).toEqual(['name', 'blocks[1].code', 'blocks[2]']);
    expect(issues[2]!.message).toContain('mentions block "a", which cannot have run');
  });
});

describe('template mistakes name their field', () => {
  const response = (body: string) => workflow(block('a'), `  - {id: r, type: response, after: [a], body: ${body}}\n`);

  it('a stray "}}" after a template', () => {
    expect(issuesOf(response('{ x: "{{ a.data }} }}" }'))).toEqual([
      { path: 'blocks[1].body.x', message: expect.stringContaining('a "}}" without its "{{"') },
    ]);
  });

  it('an unclosed "{{"', () => {
    expect(issuesOf(response('{ list: ["ok", "{{ a.data "] }'))).toEqual([
      { path: 'blocks[1].body.list[1]', message: expect.stringContaining('a "{{" without its "}}"') },
    ]);
  });

  it('{{ secret:X }} in a block says where secrets belong, once, without a parser message', () => {
    const issues = issuesOf(workflow(`  - {id: q, type: query, resource: shop, sql: "select 1", params: ["{{ secret:DB_PASSWORD }}"]}\n`));
    expect(issues).toEqual([{ path: 'blocks[0].params[0]', message: expect.stringContaining("only in a resource's settings (BATON_RESOURCES)") }]);
  });

  it('a secret inside longer text in a response header keeps the header path', () => {
    const issues = issuesOf(workflow(`  - {id: r, type: response, headers: { x-token: "Bearer {{ secret:T }}" }}\n`));
    expect(issues.map((i) => i.path)).toEqual(['blocks[0].headers.x-token']);
  });

  it('a correct template still passes', () => {
    expect(parseDefinition(response('{ x: "{{ a.data }} and {{ a.status }}", y: "{ not a template }" }'), 'ok.yaml').blocks).toHaveLength(2);
  });
});

describe('the workflows directory and a file that does not parse', () => {
  it('find() of the workflow a broken file holds answers with its errors, not "not found"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-registry-'));
    writeFileSync(join(dir, 'good.yaml'), workflow(block('a')).replace('name: test', 'name: good'));
    writeFileSync(join(dir, 'orders.yaml'), 'name: orders\nblocks:\n  - {id: a, type: cod}\n');
    writeFileSync(join(dir, 'other-file.yaml'), 'name: renamed\nblocks: [\n');
    const registry = directoryRegistry(dir);
    expect((await registry.find('good'))?.definition.name).toBe('good');
    const error = await registry.find('orders').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DefinitionError);
    expect((error as DefinitionError).message).toContain('orders.yaml');
    expect((error as DefinitionError).message).toContain('blocks[0].type: unknown block type "cod"');
    expect((error as DefinitionError).message).not.toContain(dir);
    await expect(registry.find('other-file')).rejects.toThrow(/other-file\.yaml: 1 error\n {2}line \d+, column \d+/);
    expect(await registry.find('nothing-like-it')).toBeUndefined();
  });
});
