import { describe, expect, it } from 'vitest';
import { compileDefinition, parseDefinition } from '../../../../shared/definition/index.ts';
import { block, issuesOf, workflow } from './helpers.ts';

const approval = (fields: string) => `  - {id: sign_off, type: approval${fields ? `, ${fields}` : ''}}\n`;

describe('approval blocks', () => {
  it('compile to a plan with approvers, the timeout in ms and onTimeout', () => {
    const definition = parseDefinition(
      workflow(block('ask'), approval('after: [ask], approvers: [alice, bob], timeout: 2d, onTimeout: reject'), block('ship', 'after: [sign_off]')),
      'a.yaml',
    );
    const plan = compileDefinition(definition).plan;
    expect(plan.blocks[1]).toEqual({
      id: 'sign_off',
      type: 'approval',
      retry: { maxAttempts: 1, initialIntervalMs: 1000, backoffCoefficient: 2, maxIntervalMs: 60_000 },
      onError: 'fail',
      mentions: [],
      predecessors: ['ask'],
      approvers: ['alice', 'bob'],
      timeoutAfterMs: 2 * 86_400_000,
      onTimeout: 'reject',
    });
  });

  it('default to any approver, no timeout, and onTimeout fail', () => {
    const plan = compileDefinition(parseDefinition(workflow(approval('')), 'a.yaml')).plan;
    expect(plan.blocks[0]).toMatchObject({ type: 'approval', onTimeout: 'fail' });
    expect(plan.blocks[0]).not.toHaveProperty('approvers');
    expect(plan.blocks[0]).not.toHaveProperty('timeoutAfterMs');
  });

  it('refuse unknown fields, including the attempt settings other blocks have', () => {
    expect(issuesOf(workflow(approval('approver: [alice], retry: {maxAttempts: 2}')))).toEqual([
      { path: 'blocks[0].approver', message: 'unknown field' },
      { path: 'blocks[0].retry', message: 'unknown field' },
    ]);
  });

  it('refuse a bad onTimeout, and onTimeout without a timeout', () => {
    expect(issuesOf(workflow(approval('timeout: 1h, onTimeout: ignore')))).toEqual([
      { path: 'blocks[0].onTimeout', message: 'must be one of approve, reject, fail' },
    ]);
    expect(issuesOf(workflow(approval('onTimeout: approve')))).toEqual([{ path: 'blocks[0].onTimeout', message: 'needs a timeout' }]);
  });

  it('refuse approvers that are not a list of key names', () => {
    expect(issuesOf(workflow(approval('approvers: alice')))).toEqual([{ path: 'blocks[0].approvers', message: 'must be a list of API key names' }]);
    expect(issuesOf(workflow(approval('approvers: [alice, 3]')))[0]?.path).toBe('blocks[0].approvers[1]');
    expect(issuesOf(workflow(approval('approvers: ["a b"]')))[0]).toEqual({
      path: 'blocks[0].approvers[0]',
      message: 'must be an API key name (^[A-Za-z0-9_.@-]{1,64}$)',
    });
    expect(issuesOf(workflow(approval('approvers: []')))[0]?.path).toBe('blocks[0].approvers');
  });

  it('refuse a timeout that is not a duration, or over a year', () => {
    expect(issuesOf(workflow(approval('timeout: soon')))).toEqual([
      { path: 'blocks[0].timeout', message: '"soon" is not a duration (milliseconds, or like 30s, 5m, 2h, 1d)' },
    ]);
    expect(issuesOf(workflow(approval('timeout: 400d')))).toEqual([{ path: 'blocks[0].timeout', message: 'at most 365 days' }]);
  });

  it('is one of the block types a loop body cannot be', () => {
    expect(issuesOf(workflow('  - { id: a, type: loop, over: "[1]", body: { type: approval } }\n'))).toEqual([
      { path: 'blocks[0].body.type', message: 'unknown block type "approval" (one of code, query, http, workflow)' },
    ]);
  });
});
