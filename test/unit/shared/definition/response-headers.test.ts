/** Response block headers: refused when written into the definition, by the rules the executor and the API apply at run time. */
import { describe, expect, it } from 'vitest';
import { parseDefinition } from '../../../../shared/definition/index.ts';
import { responseHeaderProblem } from '../../../../shared/contract/index.ts';
import { issuesOf } from './helpers.ts';

const respond = (headers: string) => `name: test\nblocks:\n  - id: reply\n    type: response\n    headers: ${headers}\n`;

describe('response headers in a definition', () => {
  it.each([
    ['set-cookie', '{ Set-Cookie: "sid=1" }', 'blocks[0].headers.Set-Cookie', /set-cookie may not be set/],
    ['CORS', '{ access-control-allow-origin: "*" }', 'blocks[0].headers.access-control-allow-origin', /access-control-allow-origin may not be set/],
    ['a name with a space', '{ "x bad": "1" }', 'blocks[0].headers.x bad', /not a legal header name/],
    ['a literal line break', '{ x-a: "a\\r\\nX-Injected: 1" }', 'blocks[0].headers.x-a', /not a legal header value/],
    ['a literal non-ASCII value', '{ x-a: "Zoë → 東京" }', 'blocks[0].headers.x-a', /only printable ASCII/],
  ])('refuses %s, naming the header', (_what, headers, path, message) => {
    expect(issuesOf(respond(headers))).toEqual([{ path, message: expect.stringMatching(message) }]);
  });

  it('accepts ordinary headers and leaves templated values to run time', () => {
    const definition = parseDefinition(respond('{ x-answer: "{{ trigger.data.h }}", cache-control: "no-store" }'), 'test.yaml');
    expect(definition.blocks[0]).toMatchObject({ headers: { 'x-answer': '{{ trigger.data.h }}', 'cache-control': 'no-store' } });
  });

  it('never quotes the value in its message', () => {
    expect(responseHeaderProblem('x-a', 'secret\nvalue')).not.toContain('secret');
    expect(responseHeaderProblem('x-a', 'fine value')).toBeUndefined();
  });
});
