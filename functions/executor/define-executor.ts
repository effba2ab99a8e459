/**
 * The one shape of an executor (a Lambda function that runs block steps):
 * check the wire payload, open the envelope, find the step in the pinned
 * definition, load what it mentions, run it, store the outcome and logs,
 * seal the reply. An executor says only how it runs a step (`run`), and
 * what else it needs once per container (`setup`).
 *
 * A block's own failure (BlockFailure) is a normal reply; an envelope that
 * cannot be opened gets an unsealed `fatal` reply (no secret in it) so the
 * worker fails the block at once instead of retrying; anything else throws
 * and surfaces as a Lambda function error, which the worker retries.
 */
import { openSealed, seal } from '../../shared/codec/envelope.ts';
import { withSecretRefs } from '../../shared/secrets/secret-refs.ts';
import { z } from 'zod';
import { parseEnv, type Env } from '../../shared/config/index.ts';
import { DEFAULT_TIMEOUT_MS, ENVELOPE_AAD, REPLY_AAD, type BlockEnvelope, type BlockReply, type WireReply } from '../../shared/contract/index.ts';
import { BlockFailure, CodecError, ConfigError, EnvelopeError } from '../../shared/errors/index.ts';
import { createExecutorRuntime, executorRuntimeSettings, type ExecutorRuntime } from './runtime.ts';
import type { LogLine } from './sandbox/index.ts';
import { loadScope } from './scope.ts';
import { completeStep, evaluate, evaluatePython, resolveStep, stepMentions, type ResolvedStep, type StepOutcome } from './step.ts';
import { blockEnvelopeSchema, invocationSchema } from '../../shared/contract/schemas/index.ts';
import { errorLogFields, processLogger } from '../../shared/log/index.ts';
import { contextFromTraceparent, startTracing, tracer, tracingEnabled } from '../../shared/tracing/index.ts';
import { SpanStatusCode } from '@opentelemetry/api';

/** What `run` gets for one step. */
export interface StepContext {
  readonly envelope: BlockEnvelope;
  readonly resolved: ResolvedStep;
  readonly runtime: ExecutorRuntime;
  /** The step's own timeout per attempt. */
  readonly timeoutMs: number;
  /** Lines the step logs; stored with its outcome. */
  readonly logs: LogLine[];
  /** What the step's code and templates see (only the results it mentions are read). */
  scope(): Promise<Record<string, unknown>>;
  /** Runs a function expression in the sandbox; its value, or a BlockFailure. */
  evaluate(functionSource: string, scope: Record<string, unknown>): Promise<unknown>;
  /** Runs a Python code body on a fresh interpreter; its value, or a BlockFailure. */
  evaluatePython(code: string, scope: Record<string, unknown>): Promise<unknown>;
}

export interface ExecutorSpec<Extra> {
  /** For messages: `code-executor`, `db-connector`. */
  readonly name: string;
  /**
   * The env settings this executor reads besides the runtime's
   * (executorRuntimeSettings); with those they make its one schema, parsed
   * at cold start.
   */
  readonly settings?: z.ZodRawShape;
  /** What this executor needs besides the runtime, built once per container (a ConfigError fails each block, naming the setting). */
  readonly setup: (runtime: ExecutorRuntime) => Extra;
  readonly run: (context: StepContext, extra: Extra) => Promise<StepOutcome>;
}

export type ExecutorHandler = (event: unknown) => Promise<WireReply>;

export interface Executor {
  readonly name: string;
  /** Every env setting the executor reads. */
  readonly settingsSchema: z.ZodObject;
  /** The Lambda entry point: the runtime is built from process.env (and secrets by reference) at cold start. */
  readonly handler: ExecutorHandler;
  /** A handler over a runtime of the caller's (the local stack, tests, benchmarks). */
  serve(runtime: ExecutorRuntime): ExecutorHandler;
  /** serve() over a runtime built from `env`. */
  bind(env: Env): { readonly handler: ExecutorHandler; readonly runtime: ExecutorRuntime };
}

export function defineExecutor<Extra>(spec: ExecutorSpec<Extra>): Executor {
  const settingsSchema = z.object({ ...executorRuntimeSettings, ...spec.settings });
  const logger = processLogger(spec.name);
  const runtimeFor = (env: Env) => {
    parseEnv(settingsSchema, env);
    return createExecutorRuntime(env);
  };
  function serve(runtime: ExecutorRuntime): ExecutorHandler {
    let extra: { value: Extra } | undefined;
    const extraOf = (): Extra => {
      try {
        extra ??= { value: spec.setup(runtime) };
      } catch (error) {
        // A bad setting fails the block at once, naming it, rather than the function again and again.
        if (error instanceof ConfigError) throw new BlockFailure('ConfigError', error.message, false);
        throw error;
      }
      return extra.value;
    };

    async function runStep(envelope: BlockEnvelope): Promise<BlockReply> {
      const resolved = await resolveStep(envelope, runtime);
      const logs: LogLine[] = [];
      const timeoutMs = ('timeoutMs' in resolved.step ? resolved.step.timeoutMs : undefined) ?? DEFAULT_TIMEOUT_MS;
      return completeStep(runtime, resolved, logs, () =>
        spec.run(
          {
            envelope,
            resolved,
            runtime,
            timeoutMs,
            logs,
            scope: () => loadScope(envelope, stepMentions(envelope, resolved), runtime),
            evaluate: (source, scope) => evaluate(runtime, source, scope, timeoutMs, logs),
            evaluatePython: (code, scope) => evaluatePython(runtime, code, scope, timeoutMs, logs),
          },
          extraOf(),
        ),
      );
    }

    /** The step as a span continuing the block attempt's trace (the envelope's traceparent): ids, types, outcome and size only. */
    async function tracedStep(envelope: BlockEnvelope, run: () => Promise<BlockReply>): Promise<BlockReply> {
      if (!envelope.traceparent) return run();
      const attributes = {
        'baton.run_id': envelope.runId,
        'baton.workflow': envelope.workflow,
        'baton.block_id': envelope.blockId,
        'baton.attempt': envelope.attempt,
        ...(envelope.item !== undefined ? { 'baton.item': envelope.item } : {}),
      };
      return tracer('baton-executor').startActiveSpan(`${spec.name} ${envelope.blockId}`, { attributes }, contextFromTraceparent(envelope.traceparent), async (span) => {
        try {
          const reply = await run();
          span.setAttribute('baton.outcome', reply.ok ? 'completed' : 'failed');
          if (reply.ok) span.setAttribute('baton.result_bytes', reply.bytes);
          else {
            span.setAttribute('baton.block_error_type', reply.error.type);
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          return reply;
        } catch (error) {
          const name = error instanceof Error ? error.name : typeof error;
          span.setAttribute('baton.outcome', error instanceof BlockFailure ? 'failed' : 'executor_error');
          span.setAttribute('baton.error_type', error instanceof BlockFailure ? error.toBlockError().type : name);
          span.setStatus({ code: SpanStatusCode.ERROR });
          throw error;
        } finally {
          span.end();
        }
      });
    }

    return async function handler(event) {
      const invocation = invocationSchema.safeParse(event);
      if (!invocation.success) {
        return { v: 1, fatal: { type: 'EnvelopeError', message: 'invocation payload must be { v: 1, enc: string }' } };
      }
      let envelope: BlockEnvelope;
      try {
        envelope = openSealed(runtime.keyRing, invocation.data.enc, ENVELOPE_AAD, blockEnvelopeSchema, 'executor envelope');
      } catch (error) {
        if (error instanceof CodecError || error instanceof EnvelopeError || error instanceof SyntaxError) {
          logger.warn({ error: error.name }, 'invocation refused: its envelope does not open');
          return { v: 1, fatal: { type: error.name, message: error.message } };
        }
        throw error;
      }
      const step = { runId: envelope.runId, blockId: envelope.blockId, attempt: envelope.attempt, ...(envelope.item !== undefined ? { item: envelope.item } : {}) };
      const started = Date.now();
      let reply: BlockReply;
      try {
        reply = await tracedStep(envelope, () => runStep(envelope));
      } catch (error) {
        if (!(error instanceof BlockFailure)) {
          logger.error({ ...step, ...errorLogFields(error) }, 'step: the executor failed');
          throw error;
        }
        reply = { ok: false, error: error.toBlockError() };
      }
      logger.debug({ ...step, outcome: reply.ok ? 'completed' : 'failed', ...(reply.ok ? {} : { blockErrorType: reply.error.type }), durationMs: Date.now() - started }, 'step');
      return seal(runtime.keyRing, reply, REPLY_AAD);
    };
  }

  // A Lambda container builds its runtime once, on the first invocation; a failure is not kept, so the next one tries again.
  let container: Promise<ExecutorHandler> | undefined;
  const handler: ExecutorHandler = async (event) => {
    container ??= withSecretRefs(process.env).then((env) => {
      startTracing(spec.name, env);
      return serve(runtimeFor(env));
    });
    container.catch(() => (container = undefined));
    try {
      return await (await container)(event);
    } finally {
      // A Lambda is frozen between invocations: what this one traced leaves before it answers.
      if (tracingEnabled()) await startTracing(spec.name, process.env).flush();
    }
  };

  return {
    name: spec.name,
    settingsSchema,
    handler,
    serve,
    bind(env) {
      const runtime = runtimeFor(env);
      return { handler: serve(runtime), runtime };
    },
  };
}
