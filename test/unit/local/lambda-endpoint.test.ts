/** The local Invoke endpoint, driven by the real @aws-sdk/client-lambda. */
import { InvokeCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionNameOf, startLambdaEndpoint, type LambdaEndpoint } from '../../../local/lambda-endpoint.ts';
import { createLambdaClient } from '../../../shared/lambda/client.ts';

let endpoint: LambdaEndpoint;
const events: unknown[] = [];
const logged: string[] = [];

beforeAll(async () => {
  endpoint = await startLambdaEndpoint({
    functions: {
      echo: async (event) => ({ got: event }),
      throws: async () => {
        throw new TypeError('handler broke');
      },
      record: async (event) => {
        events.push(event);
        throw new Error('fails in the background');
      },
    },
    log: (line) => logged.push(line),
  });
});
afterAll(() => endpoint?.close());

const lambda = () => createLambdaClient({ endpoint: endpoint.url });
const payload = (value: unknown) => Buffer.from(JSON.stringify(value));
const parse = (bytes: Uint8Array | undefined) => JSON.parse(Buffer.from(bytes ?? []).toString()) as unknown;

describe('local Lambda endpoint', () => {
  it('answers a RequestResponse invoke with the handler result', async () => {
    const response = await lambda().send(new InvokeCommand({ FunctionName: 'echo', Payload: payload({ a: 1 }) }));
    expect(response.StatusCode).toBe(200);
    expect(response.FunctionError).toBeUndefined();
    expect(parse(response.Payload)).toEqual({ got: { a: 1 } });
  });

  it('reports a throwing handler as an Unhandled function error, as Lambda does', async () => {
    const response = await lambda().send(new InvokeCommand({ FunctionName: 'throws', Payload: payload({}) }));
    expect(response.FunctionError).toBe('Unhandled');
    expect(parse(response.Payload)).toMatchObject({ errorType: 'TypeError', errorMessage: 'handler broke' });
  });

  it('accepts an Event invoke of a throwing handler with 202 and keeps serving', async () => {
    const response = await lambda().send(
      new InvokeCommand({ FunctionName: 'record', InvocationType: 'Event', Payload: payload({ n: 7 }) }),
    );
    expect(response.StatusCode).toBe(202);
    await expect.poll(() => logged.some((line) => line.includes('fails in the background'))).toBe(true);
    expect(events).toEqual([{ n: 7 }]);
    const after = await lambda().send(new InvokeCommand({ FunctionName: 'echo', Payload: payload(1) }));
    expect(parse(after.Payload)).toEqual({ got: 1 });
  });

  it('answers DryRun with 204 without running the handler', async () => {
    const response = await lambda().send(new InvokeCommand({ FunctionName: 'record', InvocationType: 'DryRun' }));
    expect(response.StatusCode).toBe(204);
    expect(events).toHaveLength(1);
  });

  it('names an unknown function with ResourceNotFoundException', async () => {
    await expect(lambda().send(new InvokeCommand({ FunctionName: 'nope', Payload: payload({}) }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('accepts function ARNs and qualifiers', () => {
    expect(functionNameOf('arn:aws:lambda:eu-west-1:123456789012:function:baton-prod-code-executor:live')).toBe(
      'baton-prod-code-executor',
    );
    expect(functionNameOf('baton-local-db-connector')).toBe('baton-local-db-connector');
  });
});
