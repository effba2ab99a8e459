export { compileDefinition, canonicalJson, definitionHash, type CompiledDefinition } from './compile.ts';
export { formatPath, parseDefinition, parseDefinitionText, validateDefinition } from './parse.ts';
export { loadDefinitionFile } from './load.ts';
export { transpileBlock, CODE_PREFIX, CODE_SUFFIX } from './syntax.ts';
export type { Plan, PlanBlock, BlockStatus, RetryPlan } from './plan.ts';
export type { Block, CodeBlock, Definition } from './schema.ts';
