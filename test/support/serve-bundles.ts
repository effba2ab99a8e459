/**
 * Serves Lambda handlers from a task root on the local Invoke endpoint, in a
 * process of their own, standing in for the Lambda Node.js runtime:
 *   node bin/run-ts.js test/support/serve-bundles.ts TASK_ROOT FUNCTION=HANDLER...
 * HANDLER is Lambda's `module.export` (what serverless.yml's `handler` or an
 * image's CMD says), resolved as the runtime resolves it: TASK_ROOT/module
 * with .mjs, .js or .cjs. Prints the endpoint's URL as its first line on
 * stdout; SIGTERM stops it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLambdaEndpoint, type LambdaHandler } from '../../local/lambda-endpoint.ts';

/** The file and export a Lambda handler string names in a task root. */
export function resolveHandler(taskRoot: string, handler: string): { file: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${handler}" is not MODULE.EXPORT`);
  const module = handler.slice(0, dot);
  const file = ['.mjs', '.js', '.cjs'].map((ext) => join(taskRoot, module + ext)).find((path) => existsSync(path));
  if (!file) throw new Error(`handler "${handler}": no ${module}.mjs, .js or .cjs in ${taskRoot}`);
  return { file, exportName: handler.slice(dot + 1) };
}

if (process.argv[1] && process.argv[1].endsWith('serve-bundles.ts')) {
  const [taskRoot, ...pairs] = process.argv.slice(2);
  if (!taskRoot || pairs.length === 0) {
    console.error('usage: serve-bundles.ts TASK_ROOT FUNCTION=HANDLER...');
    process.exit(2);
  }
  const functions: Record<string, LambdaHandler> = {};
  for (const pair of pairs) {
    const [name, handler] = pair.split('=');
    if (!name || !handler) throw new Error(`expected FUNCTION=HANDLER, got "${pair}"`);
    const { file, exportName } = resolveHandler(taskRoot, handler);
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const fn = module[exportName];
    if (typeof fn !== 'function') throw new Error(`handler "${handler}": ${file} exports no function "${exportName}"`);
    functions[name] = fn as LambdaHandler;
  }
  const endpoint = await startLambdaEndpoint({ functions });
  process.stdout.write(`${endpoint.url}\n`);
  process.once('SIGTERM', () => {
    void endpoint.close().then(() => process.exit(0));
  });
}
