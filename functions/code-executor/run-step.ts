/**
 * The code-executor's steps: everything that is user code and nothing
 * else. Code blocks and code loop bodies (JavaScript, TypeScript or
 * Python), branch `when`, loop `over`, the
 * templates of response blocks, and the `input` of workflow steps (written
 * as the child run's trigger).
 */
import { createHash } from 'node:crypto';
import { transpileBlock, type CodeBlock } from '../../shared/definition/index.ts';
import { branchFunction, expressionFunction, templateFunction } from '../../shared/definition/templates.ts';
import type { Step } from '../../shared/definition/schema.ts';
import type { StepContext, StepOutcome } from '../executor/index.ts';
import { BlockFailure } from '../../shared/errors/index.ts';
import { LOOP_ITEMS_PER_CHUNK, MAX_LOOP_ITEMS, responseHeaderProblem, storeKeys } from '../../shared/contract/index.ts';

// Module scope: a warm container keeps its transpiled bodies (its isolates live in the runtime).
const transpiled = new Map<string, string>();
const TRANSPILE_CACHE_SIZE = 1000;

function functionSourceOf(block: Pick<CodeBlock, 'code'> & { readonly language: 'javascript' | 'typescript' }): string {
  const key = createHash('sha256').update(block.language).update('\0').update(block.code).digest('hex');
  let source = transpiled.get(key);
  if (source === undefined) {
    source = transpileBlock(block);
    if (transpiled.size >= TRANSPILE_CACHE_SIZE) transpiled.clear();
    transpiled.set(key, source);
  }
  return source;
}

/** The rendered headers, each checked as the API will send it: a bad one fails the block, not the server. */
function headersOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new BlockFailure('ResponseError', 'headers must be an object', false);
  const headers = Object.fromEntries(Object.entries(value).map(([name, v]) => [name, typeof v === 'string' ? v : JSON.stringify(v)]));
  for (const [name, text] of Object.entries(headers)) {
    const problem = responseHeaderProblem(name, text);
    if (problem) throw new BlockFailure('ResponseError', `headers: ${problem}`, false);
  }
  return headers;
}

type Run = (scope: Record<string, unknown>) => Promise<StepOutcome>;

function runnerFor(step: Step, context: StepContext): Run {
  const { envelope, runtime } = context;
  const run = (source: string) => (scope: Record<string, unknown>) => context.evaluate(source, scope);
  switch (step.type) {
    case 'code': {
      if (step.language === 'python') return async (scope) => ({ data: await context.evaluatePython(step.code, scope) });
      const source = { code: step.code, language: step.language };
      return async (...args) => ({ data: await run(functionSourceOf(source))(...args) });
    }
    case 'branch':
      return async (...args) => {
        const taken = (await run(branchFunction(step.cases.map((c) => c.when)))(...args)) as number | 'else';
        return { data: { taken }, decision: { taken } };
      };
    case 'loop':
      return async (...args) => {
        const items = await run(expressionFunction(step.over))(...args);
        if (!Array.isArray(items)) {
          throw new BlockFailure('LoopError', `over must give an array, got ${items === null ? 'null' : typeof items}`, false);
        }
        if (items.length > MAX_LOOP_ITEMS) {
          throw new BlockFailure('LoopError', `over gave ${items.length} items, more than the limit of ${MAX_LOOP_ITEMS}`, false);
        }
        const writes: Array<Promise<unknown>> = [];
        for (let chunk = 0; chunk * LOOP_ITEMS_PER_CHUNK < items.length; chunk++) {
          const slice = items.slice(chunk * LOOP_ITEMS_PER_CHUNK, (chunk + 1) * LOOP_ITEMS_PER_CHUNK);
          writes.push(runtime.store.putJson(storeKeys.loopItems(envelope.runId, envelope.blockId, chunk), slice));
        }
        await Promise.all(writes);
        return { data: { items: items.length }, decision: { items: items.length } };
      };
    case 'response':
      return async (...args) => {
        const value = (await run(templateFunction({ status: step.status, headers: step.headers, body: step.body }))(...args)) as {
          status: unknown;
          headers: unknown;
          body: unknown;
        };
        const status = Number(value.status);
        if (!Number.isInteger(status) || status < 100 || status > 599) {
          throw new BlockFailure('ResponseError', `status must be a whole number from 100 to 599, got ${JSON.stringify(value.status)}`, false);
        }
        return { data: { status, headers: headersOf(value.headers), body: value.body ?? null } };
      };
    case 'workflow':
      return async (...args) => {
        if (!envelope.childRunId) throw new BlockFailure('EnvelopeError', 'a workflow step needs childRunId', false);
        const data = await run(templateFunction(step.input ?? null))(...args);
        const parent = { runId: envelope.runId, blockId: envelope.blockId, ...(envelope.item !== undefined ? { item: envelope.item } : {}) };
        const put = await runtime.store.putJson(storeKeys.trigger(envelope.childRunId), { type: 'workflow', data: data ?? null, parent });
        return { data: { childRunId: envelope.childRunId, triggerRef: put.key } };
      };
    default:
      throw new BlockFailure('DefinitionError', `the code-executor does not run ${step.type} steps`, false);
  }
}

/** One code-executor step: its runner for the step's type, over the scope it mentions. */
export async function runCodeStep(context: StepContext): Promise<StepOutcome> {
  const run = runnerFor(context.resolved.step, context);
  return run(await context.scope());
}
