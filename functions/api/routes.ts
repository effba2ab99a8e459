/**
 * The API's routes as data (method, path, parameters, bodies, answers).
 * app.ts binds a handler to each; openapi.ts documents them. A body that is
 * any JSON (the trigger data) is read by json-body.ts, not by a validator,
 * so an empty body stays `null` and every JSON error has one shape.
 */
import { createRoute, z } from '@hono/zod-openapi';
import {
  ApprovalSchema,
  BlockDetailSchema,
  DecisionSchema,
  ErrorSchema,
  listQuery,
  params,
  publishQuery,
  PublishedSchema,
  ReleasedSchema,
  RerunSchema,
  RunOutputSchema,
  RunPageSchema,
  RunPlanSchema,
  RunStartedSchema,
  RunStatusSchema,
  RunTriggerSchema,
  ScheduleSchema,
  startHeaders,
  VersionDetailSchema,
  VersionListSchema,
  WorkflowSchema,
} from './schemas.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ErrorSchema, description);
/** A 429: the error, and when to try again. */
const tooMany = (description: string) => ({
  ...error(description),
  headers: { 'Retry-After': { description: 'Seconds until a retry is likely to be accepted', schema: { type: 'integer' as const, minimum: 1 } } },
});
const authErrors = { 401: error('Missing or unknown API key') } as const;
const bodyErrors = {
  400: error('Invalid JSON, nested too deep, or not the expected shape'),
  413: error('The body is over 1 MB'),
  415: error('The body is not JSON (Content-Type: application/json)'),
} as const;

export const healthRoute = createRoute({
  method: 'get',
  path: '/v1/health',
  operationId: 'health',
  security: [],
  responses: { 200: json(z.object({ ok: z.boolean() }), 'The API is up') },
});

export const openApiRoute = createRoute({
  method: 'get',
  path: '/v1/openapi.json',
  operationId: 'openapi',
  security: [],
  responses: { 200: json(z.object({}).passthrough(), 'This document') },
});

export const startRunRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{name}/runs',
  operationId: 'startRun',
  summary: 'Start a run; the body is the trigger data',
  description:
    'Async workflows answer 202 with the run id. Sync workflows answer with the response block (its status, headers and body) the moment it is set, with the run output when the run ends without one, or 202 past the timeout. A repeated Idempotency-Key answers what the first call answered.',
  request: {
    params: params.name,
    headers: startHeaders,
    body: { required: false, content: { 'application/json': { schema: {} } } },
  },
  responses: {
    200: json(z.unknown(), 'A sync run answered (its response body), or the run an Idempotency-Key names'),
    202: json(RunStartedSchema, 'The run started (async), or is still running past the sync timeout'),
    ...bodyErrors,
    400: error('Invalid JSON, trigger data not matching the input schema, or a bad Idempotency-Key'),
    ...authErrors,
    404: error('No such workflow'),
    409: error('The workflow or one it calls is invalid'),
    429: tooMany('The workflow\'s concurrency limit is reached for this key (overflow: reject), or this API key is over its start rate'),
    502: error('A sync run failed, or its response cannot be sent'),
  },
});

export const listRunsRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{name}/runs',
  operationId: 'listRuns',
  summary: 'Runs of a workflow, a page at a time (pass nextCursor as cursor), optionally of one status',
  request: { params: params.name, query: listQuery },
  responses: {
    200: json(RunPageSchema, 'A page of runs, newest first'),
    400: error('Bad limit, status or cursor'),
    ...authErrors,
  },
});

export const runStatusRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{runId}',
  operationId: 'getRun',
  summary: "A run's status, with each block's status, attempts, timings and error",
  request: { params: params.runId },
  responses: { 200: json(RunStatusSchema, 'The run'), ...authErrors, 404: error('No such run') },
});

export const runOutputRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{runId}/output',
  operationId: 'getRunOutput',
  summary: "A run's output (its response, or the data of its last blocks), once it has one",
  request: { params: params.runId },
  responses: {
    200: json(RunOutputSchema, 'The run and, once it completed, its output'),
    ...authErrors,
    404: error('No such run'),
  },
});

export const blockDetailRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{runId}/blocks/{blockId}',
  operationId: 'getBlock',
  summary: "A block's data and logs",
  request: { params: params.block },
  responses: { 200: json(BlockDetailSchema, 'The block'), ...authErrors, 404: error('No such run or block') },
});

export const cancelRunRoute = createRoute({
  method: 'post',
  path: '/v1/runs/{runId}/cancel',
  operationId: 'cancelRun',
  request: { params: params.runId },
  responses: {
    202: json(RunStartedSchema, 'Cancellation requested'),
    ...authErrors,
    404: error('No such run'),
    409: error('The run has already ended'),
  },
});

export const rerunRoute = createRoute({
  method: 'post',
  path: '/v1/runs/{runId}/rerun',
  operationId: 'rerunRun',
  summary: 'A new run on the current definition; blocks upstream of fromBlock reuse their results and do not run again',
  request: {
    params: params.runId,
    body: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/RerunBody' } } } },
  },
  responses: {
    202: json(RerunSchema, 'The new run started'),
    ...bodyErrors,
    400: error('Bad body or unknown block'),
    ...authErrors,
    404: error('No such run'),
    409: error('The run cannot be rerun from there, or its workflow is gone'),
    429: tooMany('The workflow\'s concurrency limit is reached for this key (overflow: reject), or this API key is over its start rate'),
  },
});

const decisionErrors = {
  ...bodyErrors,
  400: error('Bad body, or the block is not an approval (not_an_approval)'),
  409: error('The approval is not waiting (approval_not_waiting), was decided already (approval_decided), or the run has ended (run_ended)'),
} as const;
const decisionBody = { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionBody' } } } };

function decideRoute(decision: 'approve' | 'reject') {
  return createRoute({
    method: 'post',
    path: `/v1/runs/{runId}/blocks/{blockId}/${decision}`,
    operationId: `${decision}Block`,
    summary: `${decision === 'approve' ? 'Approve' : 'Reject'} a waiting approval block, as the API key's name; body { comment? }`,
    request: { params: params.block, body: decisionBody },
    responses: {
      200: json(DecisionSchema, 'The decision the run took'),
      ...decisionErrors,
      ...authErrors,
      403: error("The API key is not among the block's approvers (not_an_approver)"),
      404: error('No such run (not_found) or block (block_not_found)'),
    },
  });
}
export const approveBlockRoute = decideRoute('approve');
export const rejectBlockRoute = decideRoute('reject');

export const approvalLinkRoute = createRoute({
  method: 'get',
  path: '/v1/approvals/{token}',
  operationId: 'getApproval',
  summary: 'What a resume link decides: the run, the block, whether it waits (authenticated by the token)',
  security: [],
  request: { params: params.approvalToken },
  responses: { 200: json(ApprovalSchema, 'The approval'), 404: error('Not a valid link (approval_link_invalid), or its run is gone') },
});

function linkDecideRoute(decision: 'approve' | 'reject') {
  return createRoute({
    method: 'post',
    path: `/v1/approvals/{token}/${decision}`,
    operationId: `${decision}ByLink`,
    summary: `${decision === 'approve' ? 'Approve' : 'Reject'} through the resume link (one-time: the first decision consumes it); by is "link"`,
    security: [],
    request: { params: params.approvalToken, body: decisionBody },
    responses: {
      200: json(DecisionSchema, 'The decision the run took'),
      ...decisionErrors,
      404: error('Not a valid link (approval_link_invalid), or its run is gone'),
    },
  });
}
export const approveByLinkRoute = linkDecideRoute('approve');
export const rejectByLinkRoute = linkDecideRoute('reject');

export const listSchedulesRoute = createRoute({
  method: 'get',
  path: '/v1/schedules',
  operationId: 'listSchedules',
  responses: { 200: json(z.object({ schedules: z.array(ScheduleSchema) }), 'Schedules'), ...authErrors },
});

export const controlScheduleRoute = createRoute({
  method: 'post',
  path: '/v1/schedules/{id}/{action}',
  operationId: 'controlSchedule',
  request: { params: params.schedule },
  responses: {
    202: json(z.object({ id: z.string(), action: z.string() }), 'Done'),
    400: error('Unknown action'),
    ...authErrors,
    404: error('No such schedule'),
  },
});

export const listWorkflowsRoute = createRoute({
  method: 'get',
  path: '/v1/workflows',
  operationId: 'listWorkflows',
  summary: 'The workflows: triggers, schedules with their next fire times and paused state, last runs',
  responses: {
    200: json(z.object({ workflows: z.array(WorkflowSchema) }), 'The workflows, by name'),
    ...authErrors,
    409: error('A definition in the workflows directory is invalid'),
  },
});

export const runPlanRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{runId}/plan',
  operationId: 'getRunPlan',
  summary: "A run's block graph (ids, types, edges) from the definition it started on",
  request: { params: params.runId },
  responses: { 200: json(RunPlanSchema, 'The graph'), ...authErrors, 404: error('No such run, or its definition is gone') },
});

export const runTriggerRoute = createRoute({
  method: 'get',
  path: '/v1/runs/{runId}/trigger',
  operationId: 'getRunTrigger',
  summary: 'What started the run and with which data (a rerun form starts from it)',
  request: { params: params.runId },
  responses: { 200: json(RunTriggerSchema, 'The trigger'), ...authErrors, 404: error('No such run, or no trigger stored yet') },
});

export const publishRoute = createRoute({
  method: 'put',
  path: '/v1/workflows/{name}',
  operationId: 'publishWorkflow',
  summary: 'Publish a version: the body is the definition (JSON, or YAML with Content-Type: application/yaml)',
  description:
    'Validates the definition and stores it as the next version unless its content already is one. Unless release=false, the version becomes the released one: new runs, HTTP triggers, schedules and workflow steps use it; runs in flight keep theirs.',
  request: {
    params: params.name,
    query: publishQuery,
    body: {
      required: true,
      content: { 'application/json': { schema: { type: 'object' } }, 'application/yaml': { schema: { type: 'string' } } },
    },
  },
  responses: {
    200: json(PublishedSchema, 'This content already was a version'),
    201: json(PublishedSchema, 'A new version'),
    400: error('Invalid definition (every error with its path), a name that differs from the path, or bad JSON/YAML'),
    ...authErrors,
    413: error('The body is over 1 MB'),
    415: error('The body is neither JSON nor YAML'),
  },
});

export const listVersionsRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{name}/versions',
  operationId: 'listVersions',
  summary: "A workflow's versions, oldest first, and which is released",
  request: { params: params.name },
  responses: { 200: json(VersionListSchema, 'The versions'), ...authErrors, 404: error('No workflow of that name was published') },
});

export const getVersionRoute = createRoute({
  method: 'get',
  path: '/v1/workflows/{name}/versions/{version}',
  operationId: 'getVersion',
  summary: 'One version, with its definition',
  request: { params: params.version },
  responses: { 200: json(VersionDetailSchema, 'The version'), 400: error('Bad version number'), ...authErrors, 404: error('No such version') },
});

export const releaseRoute = createRoute({
  method: 'post',
  path: '/v1/workflows/{name}/release',
  operationId: 'releaseVersion',
  summary: 'Make a version the released one: roll back or forward',
  request: {
    params: params.name,
    body: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ReleaseBody' } } } },
  },
  responses: {
    200: json(ReleasedSchema, 'Released'),
    ...bodyErrors,
    400: error('Bad body'),
    ...authErrors,
    404: error('No such workflow or version'),
  },
});

/** Every route the app serves besides the document itself, for 405 answers. */
export const apiRoutes = [
  healthRoute,
  openApiRoute,
  startRunRoute,
  listRunsRoute,
  listWorkflowsRoute,
  publishRoute,
  listVersionsRoute,
  getVersionRoute,
  releaseRoute,
  runStatusRoute,
  runOutputRoute,
  runPlanRoute,
  runTriggerRoute,
  blockDetailRoute,
  cancelRunRoute,
  rerunRoute,
  approveBlockRoute,
  rejectBlockRoute,
  approvalLinkRoute,
  approveByLinkRoute,
  rejectByLinkRoute,
  listSchedulesRoute,
  controlScheduleRoute,
] as const;
