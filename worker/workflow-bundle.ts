/**
 * The workflow bundle built ahead of time: the container image bundles
 * batonRun once at build time (scripts/build-workflow-bundle.ts) and the
 * worker loads it from BATON_WORKFLOW_BUNDLE, so a start needs no webpack run
 * and every replica runs byte-identical workflow code.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { WorkflowBundlePath } from '@temporalio/worker';
import { ConfigError } from '../shared/errors/index.ts';
import { z } from 'zod';
import { envText, parseEnv, type Env } from '../shared/config/index.ts';
import { bundleBatonWorkflows } from './worker.ts';

/** The prebuilt bundle named by BATON_WORKFLOW_BUNDLE; undefined means bundle at start. */
export const workflowBundleSettings = { BATON_WORKFLOW_BUNDLE: envText() };

export function workflowBundleFromEnv(env: Env, cwd = process.cwd()): WorkflowBundlePath | undefined {
  const path = parseEnv(z.object(workflowBundleSettings), env).BATON_WORKFLOW_BUNDLE;
  if (!path) return undefined;
  const codePath = isAbsolute(path) ? path : resolve(cwd, path);
  if (!existsSync(codePath)) {
    throw new ConfigError('BATON_WORKFLOW_BUNDLE', `no workflow bundle at "${codePath}" (build it with scripts/build-workflow-bundle.ts)`);
  }
  return { codePath };
}

/** Bundles batonRun and writes it to `path`; returns the bundle's size in bytes. */
export async function writeWorkflowBundle(path: string): Promise<number> {
  const bundle = await bundleBatonWorkflows();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bundle.code);
  return Buffer.byteLength(bundle.code);
}
