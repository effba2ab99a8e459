export { Sandbox, DEFAULT_MEMORY_LIMIT_MB, type LogLine, type RunCodeRequest, type RunCodeResult, type SandboxFailure } from './sandbox.ts';
