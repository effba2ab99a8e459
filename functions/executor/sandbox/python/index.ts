export {
  PythonSandbox,
  DEFAULT_PYTHON_MEMORY_MB,
  DEFAULT_PYTHON_POOL_SIZE,
  MIN_PYTHON_MEMORY_MB,
  MAX_PYTHON_POOL_SIZE,
  type PythonSandboxOptions,
  type RunPythonRequest,
} from './python-sandbox.ts';
export { DENIED_MODULES, BLOCK_FILENAME } from './runner-py.ts';
export { pythonSettings, pythonOptionsFromEnv } from './config.ts';
