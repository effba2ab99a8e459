import { expect } from 'vitest';
import { DefinitionError, type DefinitionIssue } from '../../../../shared/errors/index.ts';
import { parseDefinition } from '../../../../shared/definition/index.ts';

/** Parses text that must fail, and returns its issues (checking the error names the source). */
export function issuesOf(text: string, source = 'test.yaml'): readonly DefinitionIssue[] {
  try {
    parseDefinition(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(DefinitionError);
    const definitionError = error as DefinitionError;
    expect(definitionError.source).toBe(source);
    expect(definitionError.message.startsWith(`${source}: ${definitionError.issues.length} error`)).toBe(true);
    return definitionError.issues;
  }
  throw new Error('expected a DefinitionError, got a valid definition');
}

/** A one-line flow-style code block for YAML. */
export function block(id: string, extra = ''): string {
  return `  - {id: ${id}, type: code, code: "return 1"${extra ? `, ${extra}` : ''}}\n`;
}

export function workflow(...blocks: string[]): string {
  return `name: test\nblocks:\n${blocks.join('')}`;
}
