/**
 * Prebuilds the workflow bundle for the worker image (worker/Dockerfile):
 *   node --import tsx scripts/build-workflow-bundle.ts dist/workflow-bundle.js
 * The worker loads it when BATON_WORKFLOW_BUNDLE points at it.
 */
import { resolve } from 'node:path';
import { writeWorkflowBundle } from '../worker/workflow-bundle.ts';

const out = process.argv[2];
if (!out) {
  console.error('usage: build-workflow-bundle.ts OUT_FILE');
  process.exit(2);
}
const path = resolve(out);
const bytes = await writeWorkflowBundle(path);
console.error(`workflow bundle: ${path} (${Math.round(bytes / 1024)} KiB)`);
