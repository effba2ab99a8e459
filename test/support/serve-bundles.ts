/**
 * Serves built Lambda bundles (scripts/bundle-lambda.ts output) on the local
 * Invoke endpoint, in a process of their own as Lambda would run them:
 *   node bin/run-ts.js test/support/serve-bundles.ts DIR FUNCTION=FILE...
 * Prints the endpoint's URL as its first line on stdout; SIGTERM stops it.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLambdaEndpoint, type LambdaHandler } from '../../local/lambda-endpoint.ts';

const [dir, ...pairs] = process.argv.slice(2);
if (!dir || pairs.length === 0) {
  console.error('usage: serve-bundles.ts DIR FUNCTION=FILE...');
  process.exit(2);
}
const functions: Record<string, LambdaHandler> = {};
for (const pair of pairs) {
  const [name, file] = pair.split('=');
  if (!name || !file) throw new Error(`expected FUNCTION=FILE, got "${pair}"`);
  const module = (await import(pathToFileURL(join(dir, file)).href)) as { handler: LambdaHandler };
  functions[name] = module.handler;
}
const endpoint = await startLambdaEndpoint({ functions });
process.stdout.write(`${endpoint.url}\n`);
process.once('SIGTERM', () => {
  void endpoint.close().then(() => process.exit(0));
});
