export { compileDefinition, canonicalJson, definitionHash, type CompiledDefinition } from './compile.ts';
export { formatPath, parseDefinition, parseDefinitionText, validateDefinition } from './parse.ts';
export { loadDefinitionFile } from './load.ts';
export { transpileBlock, CODE_PREFIX, CODE_SUFFIX } from './syntax.ts';
export type { Plan, PlanBlock, StepPlan, BlockStatus, RetryPlan } from '../contract/plan.ts';
export type { Block, CodeBlock, Definition, Step, LoopBody } from './schema.ts';
export { directoryRegistry, memoryRegistry, resolveWorkflows, plansByName, type Registry } from './registry.ts';
export { checkTriggerData } from './input-schema.ts';
export { concurrencyKeyValue, type Concurrency } from './concurrency.ts';
