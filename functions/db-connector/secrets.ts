/**
 * `{{ secret:NAME }}` in resource settings, resolved only here, in the
 * db-connector. Locally from BATON_SECRET_<NAME>.
 */
import { StepFailure } from '../../shared/executor/index.ts';
import type { Env } from '../../shared/config/index.ts';

const SECRET = /\{\{\s*secret:([A-Za-z0-9_]+)\s*\}\}/g;

export function resolveSecrets(text: string, env: Env = process.env): string {
  return text.replace(SECRET, (_, name: string) => {
    const value = env[`BATON_SECRET_${name}`];
    if (value === undefined) throw new StepFailure('SecretError', `secret ${name} is not set (BATON_SECRET_${name})`, false);
    return value;
  });
}
