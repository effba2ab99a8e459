export {
  Sandbox,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_MAX_USES,
  type LogLine,
  type RunCodeRequest,
  type RunCodeResult,
  type SandboxFailure,
  type SandboxOptions,
} from './sandbox.ts';
export { sandboxOptionsFromEnv, sandboxSettings, parseSandboxMemoryMb } from './config.ts';
