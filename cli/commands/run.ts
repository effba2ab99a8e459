/**
 * `baton run FILE [--input JSON]`: one run on the local stack. The run's
 * output goes to stdout as JSON; the run id and block progress to stderr.
 * Exit 0 when the run completes, 1 otherwise.
 */
import { join, resolve } from 'node:path';
import { checkTriggerData, compileDefinition, directoryRegistry, loadDefinitionFile, type Definition, type Registry } from '../../shared/definition/index.ts';
import { DefinitionError, errorMessage } from '../../shared/errors/index.ts';
import { watchRun } from '../../shared/runs/index.ts';
import { batonDir, withLocalDefaults } from '../../local/local-settings.ts';
import { startEmbeddedStack, type EmbeddedStack } from '../../local/stack.ts';
import { printChange } from '../progress.ts';
import { onShutdown } from '../shutdown.ts';

export interface RunOptions {
  readonly input: string;
  readonly workflows: string;
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`--input is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
}

/** Runs one definition on a stack and reports; returns the exit code. */
export async function runOnStack(stack: EmbeddedStack, definition: Definition, data: unknown, registry?: Registry): Promise<number> {
  const compiled = compileDefinition(definition);
  let started: Awaited<ReturnType<EmbeddedStack['start']>>;
  try {
    started = await stack.start(compiled, { type: 'manual', data }, registry);
  } catch (error) {
    if (!(error instanceof DefinitionError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const { runId, handle } = started;
  process.stderr.write(`run ${runId} (${definition.name})\n`);
  const outcome = await watchRun(handle, stack.store, printChange);
  if (outcome.status === 'completed') {
    process.stdout.write(`${JSON.stringify(outcome.output, null, 2)}\n`);
    process.stderr.write(`run ${runId} completed\n`);
    return 0;
  }
  const where = outcome.error?.blockId ? ` at block "${outcome.error.blockId}"` : '';
  process.stderr.write(`run ${runId} ${outcome.status}${where}${outcome.error ? `: ${outcome.error.message}` : ''}\n`);
  return 1;
}

export async function runCommand(file: string, options: RunOptions): Promise<void> {
  let data: unknown;
  let definition: Definition;
  try {
    definition = await loadDefinitionFile(file); // refuse a bad definition before starting anything
    data = parseInput(options.input);
    const problems = checkTriggerData(definition.input, data);
    if (problems.length > 0) throw new Error(`--input does not match the input schema of "${definition.name}": ${problems.join('; ')}`);
  } catch (error) {
    console.error(error instanceof DefinitionError ? error.message : `baton run: ${errorMessage(error)}`);
    process.exitCode = 1;
    return;
  }
  const { env } = withLocalDefaults(process.env);
  let stack: EmbeddedStack;
  try {
    stack = await startEmbeddedStack({
      env,
      dbFile: join(batonDir(), 'temporal.db'),
      devServerStateFile: join(batonDir(), 'temporal-dev.json'),
      worker: 'auto',
      log: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (error) {
    console.error(`baton run: ${errorMessage(error)}`);
    process.exitCode = 1;
    return;
  }
  const forget = onShutdown(() => stack.stop());
  try {
    process.exitCode = await runOnStack(stack, definition, data, directoryRegistry(resolve(options.workflows)));
  } finally {
    forget();
    await stack.stop();
  }
}
