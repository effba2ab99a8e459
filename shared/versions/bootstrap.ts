/**
 * The workflows directory as a bootstrap: at start the worker and `baton dev`
 * publish each definition in it whose content is not yet a version, and
 * release it, so a Git-driven flow (commit, redeploy) keeps working. Content
 * that already is a version is left alone: a rollback made through the API
 * survives a restart of the worker. A broken file is reported and skipped.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { compileDefinition, loadDefinitionFile } from '../definition/index.ts';
import { DefinitionError } from '../errors/index.ts';
import type { VersionStore } from './version-store.ts';

export const BOOTSTRAP_PUBLISHER = 'bootstrap';

export interface BootstrapReport {
  /** `name@version` of each version this call published. */
  readonly published: string[];
  readonly unchanged: string[];
  /** Files that do not validate, with the error. */
  readonly broken: string[];
}

export async function bootstrapVersions(versions: VersionStore, dir: string): Promise<BootstrapReport> {
  const report: BootstrapReport = { published: [], unchanged: [], broken: [] };
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  } catch {
    return report;
  }
  for (const file of files) {
    let compiled;
    try {
      compiled = compileDefinition(await loadDefinitionFile(join(dir, file)));
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      report.broken.push(`${file}: ${error.issues.length} error(s)`);
      continue;
    }
    const name = compiled.definition.name;
    const known = (await versions.versions(name)).find((v) => v.hash === compiled.hash);
    if (known) {
      report.unchanged.push(`${name}@${known.version}`);
      continue;
    }
    const result = await versions.publish(compiled, { by: BOOTSTRAP_PUBLISHER, message: `from ${file}` });
    (result.created ? report.published : report.unchanged).push(`${name}@${result.version}`);
  }
  return report;
}

/** One line for the start-up log: ids and names only. */
export function bootstrapLine(report: BootstrapReport): string {
  const parts = [
    report.published.length ? `published ${report.published.join(' ')}` : 'nothing new',
    ...(report.unchanged.length ? [`${report.unchanged.length} unchanged`] : []),
    ...(report.broken.length ? [`skipped ${report.broken.join('; ')}`] : []),
  ];
  return `workflows: ${parts.join(', ')}`;
}
