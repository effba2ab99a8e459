/**
 * `baton deploy FILE...|DIR` publishes definitions through the API (each
 * validated here first, with the errors `baton validate` prints), and
 * `baton workflows list|versions|show|release` reads and moves releases.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { loadDefinitionFile } from '../../shared/definition/index.ts';
import { DefinitionError, errorMessage } from '../../shared/errors/index.ts';
import { apiClientFromEnv } from './api-client.ts';
import { printJson } from './cluster.ts';

const DEFINITION_FILE = /\.(ya?ml|json)$/;

async function definitionFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      files.push(...(await readdir(path)).filter((f) => DEFINITION_FILE.test(f)).sort().map((f) => join(path, f)));
    } else files.push(path);
  }
  return files;
}

interface Published {
  name: string;
  version: number;
  hash: string;
  released: boolean;
}

export async function deployCommand(paths: string[], options: { message?: string; release: boolean; json?: boolean }): Promise<void> {
  const files = await definitionFiles(paths);
  const definitions = [];
  let invalid = false;
  for (const file of files) {
    try {
      definitions.push({ file, definition: await loadDefinitionFile(file) });
    } catch (error) {
      invalid = true;
      console.error(error instanceof DefinitionError ? error.message : `${file}: ${errorMessage(error)}`);
    }
  }
  // All or nothing at the door: one broken file publishes none, as a failed build deploys nothing.
  if (invalid) {
    process.exitCode = 1;
    return;
  }
  const api = apiClientFromEnv();
  const query = new URLSearchParams({ ...(options.release ? {} : { release: 'false' }), ...(options.message ? { message: options.message } : {}) }).toString();
  const results = [];
  for (const { file, definition } of definitions) {
    const yaml = extname(file) !== '.json';
    const { status, body } = await api.request<Published>('PUT', `/v1/workflows/${definition.name}${query ? `?${query}` : ''}`, {
      body: await readFile(file, 'utf8'),
      contentType: yaml ? 'application/yaml' : 'application/json',
    });
    results.push({ file, ...body, created: status === 201 });
    if (!options.json) {
      process.stdout.write(`${body.name}  v${body.version}  ${status === 201 ? 'new' : 'unchanged'}${body.released ? ', released' : ''}  (${file})\n`);
    }
  }
  if (options.json) printJson(results);
}

interface WorkflowEntry {
  name: string;
  version?: number;
  triggers: { http: { mode: string }; schedules: Array<{ id: string; cron: string }> };
}

export async function workflowsList(options: { json?: boolean }): Promise<void> {
  const { body } = await apiClientFromEnv().request<{ workflows: WorkflowEntry[] }>('GET', '/v1/workflows');
  if (options.json) return printJson(body.workflows);
  for (const w of body.workflows) {
    const schedules = w.triggers.schedules.map((s) => `${s.id} (${s.cron})`).join(', ');
    process.stdout.write(`${w.name.padEnd(24)} v${String(w.version ?? '-').padEnd(4)} http ${w.triggers.http.mode}${schedules ? `  schedules ${schedules}` : ''}\n`);
  }
}

interface VersionRow {
  version: number;
  hash: string;
  publishedBy: string;
  publishedAt: string;
  message?: string;
  released: boolean;
}

export async function workflowsVersions(name: string, options: { json?: boolean }): Promise<void> {
  const { body } = await apiClientFromEnv().request<{ name: string; released: number | null; versions: VersionRow[] }>(
    'GET',
    `/v1/workflows/${encodeURIComponent(name)}/versions`,
  );
  if (options.json) return printJson(body);
  for (const v of body.versions) {
    process.stdout.write(`${v.released ? '*' : ' '} v${String(v.version).padEnd(4)} ${v.publishedAt}  ${v.publishedBy.padEnd(16)} ${v.hash.slice(0, 12)}${v.message ? `  ${v.message}` : ''}\n`);
  }
}

export async function workflowsShow(name: string, version: string, options: { json?: boolean }): Promise<void> {
  const { body } = await apiClientFromEnv().request<VersionRow & { definition: unknown }>(
    'GET',
    `/v1/workflows/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`,
  );
  if (options.json) return printJson(body);
  process.stdout.write(`${name} v${body.version}${body.released ? ' (released)' : ''}, by ${body.publishedBy} at ${body.publishedAt}\n`);
  printJson(body.definition);
}

export async function workflowsRelease(name: string, version: string, options: { json?: boolean }): Promise<void> {
  const number = Number(version);
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`version: "${version}" is not a version number (1, 2, ...)`);
  const { body } = await apiClientFromEnv().request<{ name: string; version: number; release: number }>(
    'POST',
    `/v1/workflows/${encodeURIComponent(name)}/release`,
    { body: JSON.stringify({ version: number }), contentType: 'application/json' },
  );
  if (options.json) return printJson(body);
  process.stdout.write(`${body.name}: v${body.version} released (release ${body.release})\n`);
}
