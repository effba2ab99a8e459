/** The Python sandbox's settings from an env: its memory cap, pool size and where its snapshot is kept. */
import { z } from 'zod';
import { envText, envWholeNumber, parseEnv, type Env } from '../../../../shared/config/index.ts';
import type { SecretMask } from '../../../../shared/secrets/secret-mask.ts';
import { MAX_PYTHON_POOL_SIZE, MIN_PYTHON_MEMORY_MB, type PythonSandboxOptions } from './python-sandbox.ts';

export const pythonSettings = {
  BATON_PYTHON_MEMORY_MB: envWholeNumber(MIN_PYTHON_MEMORY_MB, 4096, `must be a whole number of megabytes from ${MIN_PYTHON_MEMORY_MB} to 4096`),
  BATON_PYTHON_POOL_SIZE: envWholeNumber(0, MAX_PYTHON_POOL_SIZE, `must be a whole number from 0 to ${MAX_PYTHON_POOL_SIZE}`),
  BATON_PYTHON_SNAPSHOT_DIR: envText(),
};

export function pythonOptionsFromEnv(env: Env, secrets: SecretMask): PythonSandboxOptions {
  const settings = parseEnv(z.object(pythonSettings), env);
  return {
    secrets,
    ...(settings.BATON_PYTHON_MEMORY_MB !== undefined ? { memoryMb: settings.BATON_PYTHON_MEMORY_MB } : {}),
    ...(settings.BATON_PYTHON_POOL_SIZE !== undefined ? { poolSize: settings.BATON_PYTHON_POOL_SIZE } : {}),
    ...(settings.BATON_PYTHON_SNAPSHOT_DIR !== undefined ? { snapshotDir: settings.BATON_PYTHON_SNAPSHOT_DIR } : {}),
  };
}
