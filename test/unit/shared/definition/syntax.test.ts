import { describe, expect, it } from 'vitest';
import { checkCodeSyntax } from '../../../../shared/definition/syntax.ts';
import { CODE_PREFIX, CODE_SUFFIX, parseDefinition, transpileBlock, type CodeBlock } from '../../../../shared/definition/index.ts';
import { issuesOf } from './helpers.ts';

const js = (code: string) => ({ code, language: 'javascript' as const });
const ts = (code: string) => ({ code, language: 'typescript' as const });

describe('checkCodeSyntax', () => {
  it('accepts valid JavaScript with top-level return and await', () => {
    expect(checkCodeSyntax(js('const a = await Promise.resolve(1);\nreturn a;'), 'p')).toEqual([]);
  });

  it('reports a JS syntax error with line and column in the user code', () => {
    const issues = checkCodeSyntax(js('const a = 1;\nconst b = 2;\nreturn a +;'), 'blocks[0].code');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('blocks[0].code');
    // `;` is the 11th character of line 3
    expect(issues[0]!.message).toMatch(/^syntax error \(line 3, column 11\): /);
  });

  it('reports an error on the first line as line 1 (the wrapper line is not counted)', () => {
    expect(checkCodeSyntax(js('return )'), 'p')[0]!.message).toMatch(/\(line 1, column 8\)/);
  });

  it('accepts TypeScript type annotations when language is typescript, and refuses them in JavaScript', () => {
    const code = 'const v: number[] = [1, 2];\ninterface Row { id: number }\nreturn v.map((id): Row => ({ id }));';
    expect(checkCodeSyntax(ts(code), 'p')).toEqual([]);
    const issues = checkCodeSyntax(js(code), 'p');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toMatch(/^syntax error \(line 1, column 8\)/);
  });

  it('reports a TypeScript syntax error with its line', () => {
    expect(checkCodeSyntax(ts('const v: number = 1;\nreturn v +;'), 'p')[0]!.message).toMatch(/\(line 2, column 11\)/);
  });
});

describe('transpileBlock', () => {
  it('wraps the body in an async function and strips types', () => {
    const out = transpileBlock(ts('const v: number = 1;\nreturn v;'));
    expect(CODE_PREFIX).toContain('async function');
    expect(CODE_SUFFIX).toContain('})');
    expect(out).toMatch(/^\(async function __batonBlock\(\) \{/);
    expect(out).not.toContain(': number');
    expect(out.trimEnd().endsWith('})')).toBe(true);
  });

  it('keeps a function expression when the body mentions module, exports or require (no CommonJS wrapper)', () => {
    for (const code of ['return typeof module;', 'return exports.data;', 'return require("fs");']) {
      const out = transpileBlock(js(code));
      expect(out).toMatch(/^\(async function __batonBlock\(\) \{/);
      expect(out).not.toContain('__commonJS');
    }
  });

  it('throws for bad syntax', () => {
    expect(() => transpileBlock(js('return (;'))).toThrow();
  });
});

describe('syntax errors in definitions', () => {
  it('carry the block path, line and column', () => {
    const yaml = 'name: test\nblocks:\n  - id: a\n    type: code\n    code: |\n      const x = 1;\n      return x +* 2;\n';
    const issues = issuesOf(yaml);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('blocks[0].code');
    expect(issues[0]!.message).toMatch(/^syntax error \(line 2, column \d+\)/);
  });

  it('typescript blocks with annotations validate', () => {
    const yaml = 'name: test\nblocks:\n  - id: a\n    type: code\n    language: typescript\n    code: |\n      const xs: Array<{ n: number }> = [];\n      return xs as unknown[];\n';
    expect((parseDefinition(yaml, 't.yaml').blocks[0] as CodeBlock).language).toBe('typescript');
  });
});
