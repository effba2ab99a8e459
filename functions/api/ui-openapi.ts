/**
 * The OpenAPI entries of the routes in ui-routes.ts, merged into openapi.ts,
 * and the runs list's paging (cursor, status filter), kept beside them so the
 * pieces move together.
 */

const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const error = (description: string) => json(ref('Error'), description);
const runIdParam = { name: 'runId', in: 'path', required: true, description: 'A run id', schema: { type: 'string' } };
const authErrors = { '401': error('Missing or unknown API key') };
const runErrors = { ...authErrors, '404': error('No such run') };

export const uiOpenApiPaths = {
  '/v1/workflows': {
    get: {
      operationId: 'listWorkflows',
      summary: 'The deployed workflows: triggers, schedules with their next fire times and paused state, last runs',
      responses: {
        '200': json({ type: 'object', required: ['workflows'], properties: { workflows: { type: 'array', items: ref('Workflow') } } }, 'Workflows, by name'),
        ...authErrors,
        '409': error('A definition in the workflows directory is invalid'),
      },
    },
  },
  '/v1/runs/{runId}/plan': {
    get: {
      operationId: 'getRunPlan',
      summary: "The run's block graph (ids, types, edges) from the definition it started on",
      parameters: [runIdParam],
      responses: { '200': json(ref('RunPlan'), 'The graph'), ...runErrors },
    },
  },
  '/v1/runs/{runId}/output': {
    get: {
      operationId: 'getRunOutput',
      summary: "The run's output once it completed; its status alone before",
      parameters: [runIdParam],
      responses: { '200': json(ref('RunOutput'), 'The output, or the status'), ...runErrors },
    },
  },
  '/v1/runs/{runId}/trigger': {
    get: {
      operationId: 'getRunTrigger',
      summary: 'What started the run, and its trigger data',
      parameters: [runIdParam],
      responses: { '200': json(ref('RunTrigger'), 'The trigger'), ...runErrors },
    },
  },
} as const;

/** Query parameters and answer of GET /v1/workflows/{name}/runs. */
export const runPageParameters = [
  { name: 'limit', in: 'query', required: false, description: 'Runs per page (default 50)', schema: { type: 'integer', minimum: 1, maximum: 200 } },
  { name: 'cursor', in: 'query', required: false, description: 'nextCursor of the page before', schema: { type: 'string' } },
  {
    name: 'status',
    in: 'query',
    required: false,
    schema: { type: 'string', enum: ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'] },
  },
] as const;

export const runPageSchema = {
  type: 'object',
  required: ['runs'],
  properties: { runs: { type: 'array', items: ref('RunSummary') }, nextCursor: { type: 'string' } },
} as const;

const isoTime = { type: 'string', format: 'date-time' } as const;

export const uiOpenApiSchemas = {
  Workflow: {
    type: 'object',
    required: ['name', 'blocks', 'triggers', 'lastRuns'],
    properties: {
      name: { type: 'string' },
      description: { type: 'string' },
      blocks: { type: 'integer' },
      triggers: {
        type: 'object',
        required: ['http', 'schedules'],
        properties: {
          http: { type: 'object', required: ['mode'], properties: { mode: { type: 'string', enum: ['async', 'sync'] }, timeoutMs: { type: 'integer' } } },
          schedules: {
            type: 'array',
            items: {
              type: 'object',
              required: ['id', 'scheduleId', 'cron', 'timezone', 'overlap', 'paused', 'nextRuns'],
              properties: {
                id: { type: 'string' },
                scheduleId: { type: 'string' },
                cron: { type: 'string' },
                timezone: { type: 'string' },
                overlap: { type: 'string' },
                paused: { type: 'boolean' },
                nextRuns: { type: 'array', items: isoTime },
                note: { type: 'string' },
                missing: { type: 'boolean', description: 'Not created in Temporal yet (a worker or baton dev reconciles at start)' },
              },
            },
          },
        },
      },
      lastRuns: { type: 'array', items: ref('RunSummary') },
    },
  },
  RunPlan: {
    type: 'object',
    required: ['runId', 'definitionHash', 'workflow', 'blocks', 'edges'],
    properties: {
      runId: { type: 'string' },
      definitionHash: { type: 'string' },
      workflow: { type: 'string' },
      description: { type: 'string' },
      blocks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'type', 'after'],
          properties: {
            id: { type: 'string' },
            type: { type: 'string' },
            after: { type: 'array', items: { type: 'string' } },
            onError: { type: 'boolean' },
            workflow: { type: 'string' },
            loop: { type: 'object', required: ['body', 'concurrency'], properties: { body: { type: 'string' }, concurrency: { type: 'integer' } } },
          },
        },
      },
      edges: {
        type: 'array',
        items: {
          type: 'object',
          required: ['from', 'to', 'kind'],
          properties: { from: { type: 'string' }, to: { type: 'string' }, kind: { type: 'string', enum: ['after', 'case', 'else'] }, label: { type: 'string' } },
        },
      },
    },
  },
  RunOutput: {
    type: 'object',
    required: ['runId', 'status'],
    properties: { runId: { type: 'string' }, status: { type: 'string' }, output: {} },
  },
  RunTrigger: {
    type: 'object',
    required: ['runId', 'type', 'data'],
    properties: { runId: { type: 'string' }, type: { type: 'string' }, data: {}, rerunOf: { type: 'string' }, fromBlock: { type: 'string' } },
  },
} as const;
