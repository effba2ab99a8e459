/**
 * The API's OpenAPI document, served at /v1/openapi.json. test/e2e/api.test.ts
 * checks that every route is in it and that real responses match it, and
 * schemathesis fuzzes the running API against it.
 */
import { runPageParameters, runPageSchema, uiOpenApiPaths, uiOpenApiSchemas } from './ui-openapi.ts';

const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => json(ref('Error'), description);
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const authErrors = { '401': error('Missing or unknown API key') };
const runId = pathParam('runId', 'A run id');

export const openApiDocument = {
  openapi: '3.0.3',
  info: {
    title: 'Baton API',
    version: '1.0.0',
    description: 'Start, watch, cancel and rerun workflow runs; pause, resume and trigger schedules.',
  },
  servers: [{ url: '/' }],
  security: [{ bearerAuth: [] }],
  paths: {
    '/v1/health': {
      get: {
        operationId: 'health',
        security: [],
        responses: { '200': json({ type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' } } }, 'The API is up') },
      },
    },
    '/v1/openapi.json': {
      get: { operationId: 'openapi', security: [], responses: { '200': json({ type: 'object' }, 'This document') } },
    },
    '/v1/workflows/{name}/runs': {
      post: {
        operationId: 'startRun',
        summary: 'Start a run; the body is the trigger data',
        description:
          'Async workflows answer 202 with the run id. Sync workflows answer with the response block (any status, headers and body) the moment it is set, with the run output when the run ends without one, or 202 past the timeout.',
        parameters: [
          pathParam('name', 'The workflow name'),
          { name: 'Idempotency-Key', in: 'header', required: false, description: 'The same key returns the same run', schema: { type: 'string', minLength: 1, maxLength: 256 } },
        ],
        requestBody: { required: false, content: { 'application/json': { schema: {} } } },
        responses: {
          '200': json({}, 'A sync run answered (its response body), or the run an Idempotency-Key names'),
          '202': json(ref('RunStarted'), 'The run started (async), or is still running past the sync timeout'),
          '400': error('Invalid JSON, trigger data not matching the input schema, or a bad Idempotency-Key'),
          ...authErrors,
          '404': error('No such workflow'),
          '409': error('The workflow or one it calls is invalid'),
          '413': error('The body is over 1 MB'),
          '502': error('A sync run failed'),
        },
      },
      get: {
        operationId: 'listRuns',
        summary: 'Runs of a workflow, a page at a time (pass nextCursor as cursor), optionally of one status',
        parameters: [pathParam('name', 'The workflow name'), ...runPageParameters],
        responses: {
          '200': json(runPageSchema, 'A page of runs'),
          '400': error('Bad limit, status or cursor'),
          ...authErrors,
        },
      },
    },
    '/v1/runs/{runId}': {
      get: {
        operationId: 'getRun',
        summary: "A run's status, with each block's status, attempts, timings and error",
        parameters: [runId],
        responses: { '200': json(ref('RunStatus'), 'The run'), ...authErrors, '404': error('No such run') },
      },
    },
    '/v1/runs/{runId}/blocks/{blockId}': {
      get: {
        operationId: 'getBlock',
        summary: "A block's data and logs",
        parameters: [runId, pathParam('blockId', 'A block id')],
        responses: { '200': json(ref('BlockDetail'), 'The block'), ...authErrors, '404': error('No such run or block') },
      },
    },
    '/v1/runs/{runId}/cancel': {
      post: {
        operationId: 'cancelRun',
        parameters: [runId],
        responses: {
          '202': json(ref('RunStarted'), 'Cancellation requested'),
          ...authErrors,
          '404': error('No such run'),
          '409': error('The run has already ended'),
        },
      },
    },
    '/v1/runs/{runId}/rerun': {
      post: {
        operationId: 'rerunRun',
        summary: 'A new run on the current definition; blocks upstream of fromBlock reuse their results and do not run again',
        parameters: [runId],
        requestBody: {
          required: false,
          content: {
            'application/json': {
              schema: { type: 'object', additionalProperties: false, properties: { fromBlock: { type: 'string' }, data: {} } },
            },
          },
        },
        responses: {
          '202': json(ref('Rerun'), 'The new run started'),
          '400': error('Bad body or unknown block'),
          ...authErrors,
          '404': error('No such run'),
          '409': error('The run cannot be rerun from there, or its workflow is gone'),
          '413': error('The body is over 1 MB'),
        },
      },
    },
    '/v1/schedules': {
      get: {
        operationId: 'listSchedules',
        responses: {
          '200': json({ type: 'object', required: ['schedules'], properties: { schedules: { type: 'array', items: ref('Schedule') } } }, 'Schedules'),
          ...authErrors,
        },
      },
    },
    '/v1/schedules/{id}/{action}': {
      post: {
        operationId: 'controlSchedule',
        parameters: [pathParam('id', 'A schedule id (baton-<workflow>-<schedule>)'), { name: 'action', in: 'path', required: true, schema: { type: 'string', enum: ['pause', 'resume', 'trigger'] } }],
        responses: {
          '202': json({ type: 'object', required: ['id', 'action'], properties: { id: { type: 'string' }, action: { type: 'string' } } }, 'Done'),
          ...authErrors,
          '404': error('No such schedule'),
        },
      },
    },
    ...uiOpenApiPaths,
  },
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
      },
      Links: { type: 'object', required: ['self'], properties: { self: { type: 'string' } } },
      RunStarted: {
        type: 'object',
        required: ['runId', 'status', 'links'],
        properties: { runId: { type: 'string' }, status: { type: 'string' }, links: ref('Links') },
      },
      Rerun: {
        type: 'object',
        required: ['runId', 'rerunOf', 'reused', 'status', 'links'],
        properties: {
          runId: { type: 'string' },
          rerunOf: { type: 'string' },
          reused: { type: 'array', items: { type: 'string' } },
          status: { type: 'string' },
          links: ref('Links'),
        },
      },
      BlockError: { type: 'object', required: ['message', 'type'], properties: { message: { type: 'string' }, type: { type: 'string' } } },
      BlockState: {
        type: 'object',
        required: ['status', 'attempts'],
        properties: {
          status: { type: 'string', enum: ['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled'] },
          attempts: { type: 'integer' },
          startedAt: { type: 'number' },
          endedAt: { type: 'number' },
          error: ref('BlockError'),
          taken: { oneOf: [{ type: 'integer' }, { type: 'string', enum: ['else'] }] },
          items: { type: 'object', properties: { total: { type: 'integer' }, completed: { type: 'integer' }, failed: { type: 'integer' } } },
          childRunId: { type: 'string' },
          reused: { type: 'boolean' },
        },
      },
      RunStatus: {
        type: 'object',
        required: ['runId', 'workflow', 'definitionHash', 'status', 'blocks'],
        properties: {
          runId: { type: 'string' },
          workflow: { type: 'string' },
          definitionHash: { type: 'string' },
          status: { type: 'string', enum: ['running', 'completed', 'failed', 'cancelled'] },
          error: { type: 'object', required: ['blockId', 'message', 'type'], properties: { blockId: { type: 'string' }, message: { type: 'string' }, type: { type: 'string' } } },
          response: { type: 'object', required: ['blockId'], properties: { blockId: { type: 'string' } } },
          blocks: { type: 'object', additionalProperties: ref('BlockState') },
        },
      },
      BlockDetail: {
        type: 'object',
        required: ['runId', 'blockId', 'status', 'logs'],
        properties: {
          runId: { type: 'string' },
          blockId: { type: 'string' },
          status: { type: 'string' },
          data: {},
          error: ref('BlockError'),
          logs: { type: 'array', items: { type: 'object' } },
        },
      },
      RunSummary: {
        type: 'object',
        required: ['runId', 'workflow', 'status', 'startedAt'],
        properties: {
          runId: { type: 'string' },
          workflow: { type: 'string' },
          status: { type: 'string' },
          startedAt: { type: 'string', format: 'date-time' },
          closedAt: { type: 'string', format: 'date-time' },
          durationMs: { type: 'integer' },
          trigger: { type: 'string', enum: ['manual', 'http', 'schedule', 'workflow', 'rerun'] },
          rerunOf: { type: 'string' },
        },
      },
      ...uiOpenApiSchemas,
      Schedule: {
        type: 'object',
        required: ['id', 'workflow', 'paused', 'nextRuns', 'recentRuns'],
        properties: {
          id: { type: 'string' },
          workflow: { type: 'string' },
          paused: { type: 'boolean' },
          note: { type: 'string' },
          nextRuns: { type: 'array', items: { type: 'string', format: 'date-time' } },
          recentRuns: { type: 'array', items: { type: 'object', required: ['runId', 'at'], properties: { runId: { type: 'string' }, at: { type: 'string', format: 'date-time' } } } },
        },
      },
    },
  },
} as const;
