import { describe, expect, it } from 'vitest';
import { canonicalJson, compileDefinition, definitionHash, loadDefinitionFile, parseDefinition, type CodeBlock } from '../../../../shared/definition/index.ts';

const CODE_MARKER = 'SECRET_CODE_MARKER_31337';

const yaml = (code: string) => `
name: compile-test
blocks:
  - id: orders
    type: code
    code: "return ['${CODE_MARKER}'];"
  - id: report
    type: code
    after: [orders]
    timeoutMs: 5000
    retry: { maxAttempts: 3 }
    onError: continue
    code: "${code}"
`;

describe('compileDefinition', () => {
  it('keeps ids, edges and settings in the plan, with mentions', () => {
    const { plan, hash } = compileDefinition(parseDefinition(yaml('return [orders.data, trigger.data];'), 'c.yaml'));
    expect(plan.name).toBe('compile-test');
    expect(plan.hash).toBe(hash);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(plan.blocks.map((b) => b.id)).toEqual(['orders', 'report']);
    const report = plan.blocks[1]!;
    expect(report).toMatchObject({ type: 'code', predecessors: ['orders'], timeoutMs: 5000, onError: 'continue' });
    expect(report.retry.maxAttempts).toBe(3);
    expect(report.mentions).toEqual(['orders', 'trigger']);
    expect(plan.blocks[0]!.mentions).toEqual([]);
  });

  it('puts no code in the plan', async () => {
    const code = 'return orders.data.concat(42);';
    const { plan } = compileDefinition(parseDefinition(yaml(code), 'c.yaml'));
    const json = JSON.stringify(plan);
    expect(json).not.toContain(CODE_MARKER);
    expect(json).not.toContain(code);
    expect(json).not.toContain('"code":');
    const hello = compileDefinition(await loadDefinitionFile('workflows/hello.yaml'));
    expect(hello.definition.blocks.length).toBeGreaterThan(1);
    for (const block of hello.definition.blocks as CodeBlock[]) expect(JSON.stringify(hello.plan)).not.toContain(block.code.trim());
  });

  it('has a hash that is stable across key order', () => {
    const a = parseDefinition('name: h\nblocks:\n  - {id: a, type: code, code: "return 1", onError: continue}\n', 'a.yaml');
    const b = parseDefinition('blocks:\n  - {onError: continue, code: "return 1", type: code, id: a}\nname: h\n', 'b.yaml');
    expect(compileDefinition(a).hash).toBe(compileDefinition(b).hash);
    expect(compileDefinition(a).hash).toBe(compileDefinition(a).hash);
    // and on objects whose keys really are in another order
    const reordered = { onError: a.onError, blocks: a.blocks.map((block) => Object.fromEntries(Object.entries(block).reverse())), name: a.name };
    expect(Object.keys(reordered.blocks[0]!)).not.toEqual(Object.keys(a.blocks[0]!));
    expect(definitionHash(reordered as unknown as typeof a)).toBe(definitionHash(a));
  });

  it('has a hash that changes when code changes', () => {
    const one = compileDefinition(parseDefinition(yaml('return 1;'), 'c.yaml'));
    const two = compileDefinition(parseDefinition(yaml('return 2;'), 'c.yaml'));
    expect(one.hash).not.toBe(two.hash);
    expect(one.plan.blocks).toEqual(two.plan.blocks);
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson([3, 'x', null])).toBe('[3,"x",null]');
  });
});
