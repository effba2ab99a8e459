/**
 * The HTTP API (DESIGN §4) as one Hono app: the Lambda handler serves it
 * through hono's AWS Lambda adapter, `baton dev` and the tests through
 * @hono/node-server, so both take the same path. Every error is JSON
 * `{ error: { code, message } }`, mapped from the error's class name in one
 * onError; the OpenAPI document is generated from the routes (openapi.ts).
 */
import { OpenAPIHono, type Hook } from '@hono/zod-openapi';
import type { Context, Env } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { getPath } from 'hono/utils/url';
import { approvalInfo, blockDetail, cancelRun, decideApproval, listRunPage, rerunRun, runStatus } from '../../shared/runs/index.ts';
import { WORKFLOW_NAME } from '../../shared/definition/schema.ts';
import { ApprovalError, HttpError } from '../../shared/errors/index.ts';
import type { ApprovalTarget } from '../../shared/auth/approval-links.ts';
import { controlSchedule, listSchedules } from '../../shared/schedules/index.ts';
import { DECIDED_BY_LINK, storeKeys } from '../../shared/contract/index.ts';
import { answerFor } from '../http/error-mapping.ts';
import { readJsonBody, type JsonBodyLimits } from '../http/json-body.ts';
import { allowedMethods } from '../http/method-not-allowed.ts';
import type { ApiDeps, DepsSource } from './deps.ts';
import { runLinks, runStatusView } from './present.ts';
import * as routes from './routes.ts';
import { DecisionBodySchema, ReleaseBodySchema, RerunBodySchema } from './schemas.ts';
import { callerName, getVersion, listVersions, publishWorkflow, releaseVersion } from './version-routes.ts';
import { startWorkflowRun, type Answer } from './start-workflow-run.ts';
import { documentOf } from './document.ts';
import { serveUi } from './ui-assets.ts';
import { listWorkflows, runPlan, runTrigger } from './ui-routes.ts';
import { errorLogFields, processLogger } from '../../shared/log/index.ts';
import { startTracing, tracer, tracingEnabled } from '../../shared/tracing/index.ts';
import { SpanStatusCode } from '@opentelemetry/api';

const logger = processLogger('api');

export type { ApiDeps, DepsSource } from './deps.ts';

export const MAX_BODY_BYTES = 1024 * 1024;
/** Deep enough for any real trigger; shallow enough for every recursive step after it. */
export const MAX_BODY_DEPTH = 256;
const BODY_LIMITS: JsonBodyLimits = { maxBytes: MAX_BODY_BYTES, maxDepth: MAX_BODY_DEPTH };

/** Paths anyone may read: the health check and the document. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set([routes.healthRoute.path, routes.openApiRoute.path]);
/** Resume links are authenticated by their token, not by an API key. */
const LINK_PREFIX = '/v1/approvals/';

type ApiEnv = Env & { Variables: { deps: ApiDeps } };

function issuePath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** A parameter, query or header that fails its schema: 400 naming the field. */
const validationHook: Hook<unknown, ApiEnv, string, unknown> = (result, c) => {
  if (result.success) return;
  const issues = result.error.issues.slice(0, 5).map((issue) => `${result.target}${issue.path.length ? `.${issuePath(issue.path)}` : ''}: ${issue.message}`);
  return c.json({ error: { code: 'invalid_request', message: issues.join('; ') } }, 400);
};

function errorJson(c: Context, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json({ error: { code, message } }, status as ContentfulStatusCode);
}

function send(c: Context, answer: Answer) {
  const status = answer.status as ContentfulStatusCode;
  if (answer.body === undefined) return c.body(null, status, answer.headers);
  return c.body(JSON.stringify(answer.body), status, { ...answer.headers, 'content-type': 'application/json' });
}

function depsResolver(source: DepsSource): () => Promise<ApiDeps> {
  return typeof source === 'function' ? source : () => Promise.resolve(source);
}

export function createApiApp(source: DepsSource): OpenAPIHono<ApiEnv> {
  const getDeps = depsResolver(source);
  const app = new OpenAPIHono<ApiEnv>({ strict: false, defaultHook: validationHook });

  app.openapi(routes.healthRoute, (c) => c.json({ ok: true }, 200));

  // The run viewer's static files: public (the page signs in with a key it sends as a bearer header), with their own CSP.
  const ui = async (c: Context) => {
    // The path as sent: with `strict: false`, c.req.path drops a trailing slash, and /ui/ is not /ui (which redirects to it).
    const answer = serveUi((await getDeps()).ui, { method: c.req.method, path: getPath(c.req.raw) });
    if (answer.raw) return c.body(String(answer.body), answer.status as ContentfulStatusCode, answer.headers);
    if (answer.body === null) return c.body(null, answer.status as ContentfulStatusCode, answer.headers);
    return c.body(JSON.stringify(answer.body), answer.status as ContentfulStatusCode, { ...answer.headers, 'content-type': 'application/json' });
  };
  app.all('/ui', ui);
  app.all('/ui/*', ui);
  // A traced API gives each request a span (method, route, status: the route pattern, never the path's values),
  // which the run it starts continues; a Lambda sends it before answering, since it is frozen in between.
  app.use('/v1/*', async (c, next) => {
    if (!tracingEnabled()) return next();
    await tracer('baton-api').startActiveSpan(`${c.req.method} /v1`, { attributes: { 'http.request.method': c.req.method } }, async (span) => {
      try {
        await next();
      } finally {
        // The handler's route, the last one matched (this middleware's own is first).
        const route = routePath(c, -1);
        span.updateName(`${c.req.method} ${route}`);
        span.setAttribute('http.route', route);
        span.setAttribute('http.response.status_code', c.res.status);
        if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
    });
    await startTracing('baton-api', {}).flush();
  });

  app.use('/v1/*', async (c, next) => {
    if (PUBLIC_PATHS.has(c.req.path.replace(/\/+$/, ''))) return next();
    const deps = await getDeps();
    if (c.req.path.startsWith(LINK_PREFIX)) {
      c.set('deps', deps);
      return next();
    }
    if (!deps.checkApiKey(c.req.header('authorization'))) {
      throw new HttpError(401, 'unauthorized', 'a valid API key is required: Authorization: Bearer <key>');
    }
    c.set('deps', deps);
    return next();
  });

  app.openapi(routes.startRunRoute, async (c) => {
    c.var.deps.limitStarts?.(c.req.header('authorization'));
    const data = (await readJsonBody(c, BODY_LIMITS)) ?? null;
    const { name } = c.req.valid('param');
    const answer = await startWorkflowRun(c.var.deps, name, data, c.req.valid('header')['idempotency-key']);
    const runId = answer.headers['baton-run-id'] ?? (answer.body as { runId?: unknown } | undefined)?.runId;
    logger.info({ workflow: name, ...(typeof runId === 'string' ? { runId } : {}), status: answer.status }, 'run start');
    return send(c, answer) as never;
  });

  app.openapi(routes.listRunsRoute, async (c) => {
    const { name } = c.req.valid('param');
    // A name no definition may have (a NUL, a quote) lists nothing, without asking visibility.
    if (!WORKFLOW_NAME.test(name)) return c.json({ runs: [] }, 200);
    const { limit, status, cursor } = c.req.valid('query');
    const page = await listRunPage(c.var.deps.client, c.var.deps.store, {
      workflow: name,
      pageSize: limit ?? 20,
      ...(status !== undefined ? { status } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    return c.json(page, 200);
  });

  app.openapi(routes.listWorkflowsRoute, async (c) => c.json(await listWorkflows(c.var.deps), 200));
  app.openapi(routes.publishRoute, async (c) => {
    const { name } = c.req.valid('param');
    const { release, message } = c.req.valid('query');
    const by = callerName(c.var.deps, c.req.header('authorization'));
    const answer = await publishWorkflow(c.var.deps, c, { name, release: release !== 'false', ...(message ? { message } : {}), by }, BODY_LIMITS);
    return c.json(answer.body, answer.status);
  });

  app.openapi(routes.listVersionsRoute, async (c) => c.json(await listVersions(c.var.deps, c.req.valid('param').name), 200));
  app.openapi(routes.getVersionRoute, async (c) => {
    const { name, version } = c.req.valid('param');
    return c.json(await getVersion(c.var.deps, name, version), 200);
  });

  app.openapi(routes.releaseRoute, async (c) => {
    const { name } = c.req.valid('param');
    const parsed = ReleaseBodySchema.safeParse((await readJsonBody(c, BODY_LIMITS)) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpError(400, 'invalid_body', `body${issue.path.length ? `.${issuePath(issue.path)}` : ''}: ${issue.message} (fields: version)`);
    }
    const by = callerName(c.var.deps, c.req.header('authorization'));
    return c.json(await releaseVersion(c.var.deps, name, parsed.data.version, by), 200);
  });

  app.openapi(routes.runPlanRoute, async (c) => c.json(await runPlan(c.var.deps, c.req.valid('param').runId), 200));
  app.openapi(routes.runTriggerRoute, async (c) => c.json(await runTrigger(c.var.deps, c.req.valid('param').runId), 200));

  app.openapi(routes.runStatusRoute, async (c) => c.json(runStatusView(await runStatus(c.var.deps.client, c.req.valid('param').runId)), 200));

  app.openapi(routes.runOutputRoute, async (c) => {
    const { client, store } = c.var.deps;
    const { runId } = c.req.valid('param');
    const status = await runStatus(client, runId);
    if (status.status !== 'completed') return c.json({ runId, status: status.status }, 200);
    return c.json({ runId, status: status.status, output: (await store.getJson(storeKeys.output(status.runId))) ?? null }, 200);
  });

  app.openapi(routes.blockDetailRoute, async (c) => {
    const { runId, blockId } = c.req.valid('param');
    return c.json(await blockDetail(c.var.deps.client, c.var.deps.store, runId, blockId), 200);
  });

  app.openapi(routes.cancelRunRoute, async (c) => {
    const { runId } = c.req.valid('param');
    await cancelRun(c.var.deps.client, runId);
    return c.json({ runId, status: 'cancelling', links: runLinks(runId) }, 202);
  });

  app.openapi(routes.rerunRoute, async (c) => {
    const { runId } = c.req.valid('param');
    c.var.deps.limitStarts?.(c.req.header('authorization'));
    const parsed = RerunBodySchema.safeParse((await readJsonBody(c, BODY_LIMITS)) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new HttpError(400, 'invalid_body', `body${issue.path.length ? `.${issuePath(issue.path)}` : ''}: ${issue.message} (fields: fromBlock, data)`);
    }
    const { fromBlock, data } = parsed.data;
    const deps = c.var.deps;
    const started = await rerunRun({
      client: deps.client,
      store: deps.store,
      taskQueue: deps.taskQueue,
      registry: deps.registry,
      runId,
      ...(fromBlock !== undefined ? { fromBlock } : {}),
      ...(data !== undefined ? { data } : {}),
    });
    return c.json({ runId: started.runId, rerunOf: runId, reused: started.reused, status: 'running', links: runLinks(started.runId) }, 202);
  });

  /** A decision's body: absent, or { comment }. */
  const decisionBody = async (c: Context) => {
    const parsed = DecisionBodySchema.safeParse((await readJsonBody(c, BODY_LIMITS)) ?? {});
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0]!;
    throw new HttpError(400, 'invalid_body', `body${issue.path.length ? `.${issuePath(issue.path)}` : ''}: ${issue.message} (fields: comment)`);
  };
  const decide = async (c: Context<ApiEnv>, target: ApprovalTarget, approved: boolean, by: { by: string; via: 'key' | 'link' }) => {
    const { comment } = await decisionBody(c);
    const { client, store } = c.var.deps;
    const decision = await decideApproval({ client, store, ...target, approved, ...by, comment });
    logger.info({ runId: target.runId, blockId: target.blockId, approved, via: by.via }, 'approval decided');
    return decision;
  };
  const keyName = (c: Context<ApiEnv>) => c.var.deps.checkApiKey.nameOf?.(c.req.header('authorization')) ?? 'api-key';
  const linkTarget = (c: Context<ApiEnv>, token: string): ApprovalTarget => {
    const target = c.var.deps.approvalLinks?.open(token);
    if (!target) throw new ApprovalError('approval_link_invalid', 'this approval link is not valid');
    return target;
  };

  app.openapi(routes.approveBlockRoute, async (c) =>
    c.json(await decide(c, c.req.valid('param'), true, { by: keyName(c), via: 'key' }), 200),
  );
  app.openapi(routes.rejectBlockRoute, async (c) =>
    c.json(await decide(c, c.req.valid('param'), false, { by: keyName(c), via: 'key' }), 200),
  );
  app.openapi(routes.approvalLinkRoute, async (c) => {
    const target = linkTarget(c, c.req.valid('param').token);
    return c.json(await approvalInfo(c.var.deps.client, target.runId, target.blockId), 200);
  });
  app.openapi(routes.approveByLinkRoute, async (c) =>
    c.json(await decide(c, linkTarget(c, c.req.valid('param').token), true, { by: DECIDED_BY_LINK, via: 'link' }), 200),
  );
  app.openapi(routes.rejectByLinkRoute, async (c) =>
    c.json(await decide(c, linkTarget(c, c.req.valid('param').token), false, { by: DECIDED_BY_LINK, via: 'link' }), 200),
  );

  app.openapi(routes.listSchedulesRoute, async (c) => c.json({ schedules: await listSchedules(c.var.deps.client, c.var.deps.taskQueue) }, 200));

  app.openapi(routes.controlScheduleRoute, async (c) => {
    const { id, action } = c.req.valid('param');
    await controlSchedule(c.var.deps.client, id, action);
    return c.json({ id, action }, 202);
  });

  app.openAPIRegistry.register('RerunBody', RerunBodySchema);
  app.openAPIRegistry.register('ReleaseBody', ReleaseBodySchema);
  app.openAPIRegistry.register('DecisionBody', DecisionBodySchema);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  let document: unknown;
  app.openapi(routes.openApiRoute, (c) => c.json((document ??= documentOf(app)) as Record<string, unknown>, 200));

  app.notFound((c) => {
    const allow = allowedMethods(routes.apiRoutes, c.req.path);
    if (allow.length > 0) return errorJson(c, 405, 'method_not_allowed', `${c.req.path} takes ${allow.join(', ')}`, { allow: allow.join(', ') });
    return errorJson(c, 404, 'not_found', `no route ${c.req.method} ${c.req.path}`);
  });

  app.onError((error, c) => {
    const known = answerFor(error);
    if (known) return errorJson(c, known.status, known.code, known.message, { ...known.headers });
    // Hono's own (a malformed request it refused before a route ran).
    if (error instanceof HTTPException && error.status < 500) return errorJson(c, error.status, 'bad_request', error.message);
    logger.error({ method: c.req.method, route: c.req.routePath, ...errorLogFields(error) }, 'internal error');
    return errorJson(c, 500, 'internal', 'internal error');
  });
  return app;
}
