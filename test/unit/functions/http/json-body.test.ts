/** The JSON body rules every front door shares: size, syntax, nesting, media type; and 405's method list. */
import { describe, expect, it } from 'vitest';
import { isJsonMediaType, jsonDepth, parseJsonText } from '../../../../functions/http/json-body.ts';
import { allowedMethods } from '../../../../functions/http/method-not-allowed.ts';
import type { HttpError } from '../../../../shared/errors/index.ts';

const limits = { maxBytes: 64, maxDepth: 3 };

function refusal(text: string): HttpError {
  try {
    parseJsonText(text, limits);
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected a refusal');
}

describe('parseJsonText', () => {
  it('parses JSON, and gives undefined for an empty body', () => {
    expect(parseJsonText('{"a":[1]}', limits)).toEqual({ a: [1] });
    expect(parseJsonText('  ', limits)).toBeUndefined();
  });

  it('refuses bad syntax (400), too deep (400) and too large (413)', () => {
    expect(refusal('{"a":')).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(refusal('[[[[1]]]]')).toMatchObject({ status: 400, code: 'invalid_json', message: 'the body nests deeper than 3 levels' });
    expect(refusal(`"${'x'.repeat(70)}"`)).toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});

describe('jsonDepth', () => {
  it('counts nesting without recursion, even 100,000 deep', () => {
    expect(jsonDepth(1)).toBe(0);
    expect(jsonDepth({ a: [{}] })).toBe(3);
    expect(jsonDepth(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(100_000);
  });
});

describe('isJsonMediaType', () => {
  it('takes application/json and +json types, with parameters', () => {
    expect(isJsonMediaType('application/json; charset=utf-8')).toBe(true);
    expect(isJsonMediaType('application/problem+json')).toBe(true);
    expect(isJsonMediaType('text/plain')).toBe(false);
    expect(isJsonMediaType(undefined)).toBe(false);
  });
});

describe('allowedMethods', () => {
  const routes = [
    { method: 'post', path: '/v1/workflows/{name}/runs' },
    { method: 'get', path: '/v1/workflows/{name}/runs' },
    { method: 'get', path: '/v1/runs/{runId}' },
  ];
  it('lists the methods of the templates a path matches, HEAD with GET', () => {
    expect(allowedMethods(routes, '/v1/workflows/greet/runs')).toEqual(['POST', 'GET', 'HEAD']);
    expect(allowedMethods(routes, '/v1/runs/run-1/')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods(routes, '/v1/runs/run-1/extra')).toEqual([]);
  });
});
