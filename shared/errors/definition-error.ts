import { BatonError } from './baton-error.ts';

export interface DefinitionIssue {
  /** Where, as `blocks[2].after[0]`; empty for the whole document. */
  readonly path: string;
  readonly message: string;
}

/** A workflow definition failed to parse or validate; lists every issue with its path. */
export class DefinitionError extends BatonError {
  override readonly name = 'DefinitionError';
  constructor(
    readonly source: string,
    readonly issues: readonly DefinitionIssue[],
  ) {
    super(
      `${source}: ${issues.length} error${issues.length === 1 ? '' : 's'}\n` +
        issues.map((issue) => `  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`).join('\n'),
    );
  }
}
