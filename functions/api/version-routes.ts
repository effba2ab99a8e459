/**
 * Publishing and releasing through the API (docs/design.md, "Versions"):
 * PUT /v1/workflows/{name} validates the body as `baton validate` does and
 * publishes it; POST .../release moves the release pointer; both then sync
 * the schedules that follow the release. app.ts binds them to routes.ts.
 */
import type { Context } from 'hono';
import { compileDefinition, parseDefinition, validateDefinition, type Definition } from '../../shared/definition/index.ts';
import { HttpError } from '../../shared/errors/index.ts';
import { syncSchedulesAfterRelease } from '../../shared/schedules/index.ts';
import { versionRegistry, versionStoreOf, type VersionStore } from '../../shared/versions/index.ts';
import { WORKFLOW_NAME } from '../../shared/definition/schema.ts';
import { isJsonMediaType, parseJsonText, readCappedText, type JsonBodyLimits } from '../http/json-body.ts';
import type { ApiDeps } from './deps.ts';
import { processLogger } from '../../shared/log/index.ts';

const logger = processLogger('api');

const YAML_MEDIA_TYPE = /^(application|text)\/(x-)?yaml$/i;

export function versionsOf(deps: ApiDeps): VersionStore {
  return deps.versions ?? versionStoreOf(deps.store);
}

/** Who the request is: the API key's name (BATON_API_KEYS entries `name:key`). */
export function callerName(deps: ApiDeps, authorization: string | undefined): string {
  return deps.checkApiKey.nameOf?.(authorization) ?? 'api';
}

/** The body as a validated definition: JSON, or YAML by its media type; errors as `baton validate` words them. */
async function definitionOf(c: Context, limits: JsonBodyLimits): Promise<Definition> {
  const text = await readCappedText(c, limits.maxBytes);
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (text.trim() === '') throw new HttpError(400, 'invalid_definition', 'the body is empty: send the definition as JSON or YAML');
  try {
    if (YAML_MEDIA_TYPE.test(mediaType)) return parseDefinition(text, 'body');
    if (isJsonMediaType(mediaType) || mediaType === '') return validateDefinition(parseJsonText(text, limits), 'body');
  } catch (error) {
    if ((error as Error).name === 'DefinitionError') throw new HttpError(400, 'invalid_definition', (error as Error).message);
    throw error;
  }
  throw new HttpError(415, 'unsupported_media_type', 'the definition must be JSON (application/json) or YAML (application/yaml)');
}

async function followRelease(deps: ApiDeps, workflow: string): Promise<void> {
  const report = await syncSchedulesAfterRelease({
    client: deps.client,
    store: deps.store,
    taskQueue: deps.taskQueue,
    registry: versionRegistry(versionsOf(deps)),
    workflow,
  });
  const changed = report.created.length + report.updated.length + report.deleted.length;
  if (changed > 0) logger.info({ workflow, created: report.created, updated: report.updated, deleted: report.deleted }, 'schedules follow release');
}

export async function publishWorkflow(
  deps: ApiDeps,
  c: Context,
  input: { name: string; release: boolean; message?: string; by: string },
  limits: JsonBodyLimits,
) {
  if (!WORKFLOW_NAME.test(input.name)) {
    throw new HttpError(400, 'invalid_request', `param.name: "${input.name}" is not a workflow name (lowercase letters, digits and -, starting with a letter)`);
  }
  const definition = await definitionOf(c, limits);
  if (definition.name !== input.name) {
    throw new HttpError(400, 'name_mismatch', `body.name: "${definition.name}" differs from the path's "${input.name}"`);
  }
  const compiled = compileDefinition(definition);
  const result = await versionsOf(deps).publish(compiled, { by: input.by, release: input.release, ...(input.message ? { message: input.message } : {}) });
  logger.info({ workflow: result.name, version: result.version, created: result.created, released: result.released, by: input.by }, 'publish');
  // Also when nothing changed: a publish that is tried again after a failed sync heals the schedules.
  if (input.release) await followRelease(deps, result.name);
  return { status: result.created ? 201 : 200, body: { name: result.name, version: result.version, hash: result.hash, released: result.released } } as const;
}

export async function listVersions(deps: ApiDeps, name: string) {
  const versions = versionsOf(deps);
  if (!WORKFLOW_NAME.test(name)) throw new HttpError(404, 'not_found', `no workflow "${name}" was published`);
  const [listed, release] = await Promise.all([versions.versions(name), versions.releaseOf(name)]);
  if (listed.length === 0) throw new HttpError(404, 'not_found', `no workflow "${name}" was published`);
  return {
    name,
    released: release?.version ?? null,
    versions: listed.map((v) => ({ ...v, released: v.version === release?.version })),
  };
}

export async function getVersion(deps: ApiDeps, name: string, version: number) {
  const versions = versionsOf(deps);
  if (!WORKFLOW_NAME.test(name) || !Number.isSafeInteger(version)) throw new HttpError(404, 'not_found', `workflow "${name}" has no version ${version}`);
  const [stored, release] = await Promise.all([versions.requireVersion(name, version), versions.releaseOf(name)]);
  return { ...stored, released: stored.version === release?.version, definition: stored.definition as unknown as Record<string, unknown> };
}

export async function releaseVersion(deps: ApiDeps, name: string, version: number, by: string) {
  if (!WORKFLOW_NAME.test(name)) throw new HttpError(404, 'not_found', `workflow "${name}" has no version ${version}`);
  const entry = await versionsOf(deps).release(name, version, by);
  logger.info({ workflow: name, version, release: entry.release, by }, 'release');
  await followRelease(deps, name);
  return { name, ...entry };
}
