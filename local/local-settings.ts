/**
 * Local defaults for the embedded stack: the encryption key, the API key and
 * the codec server's token live under .baton/ (made once, mode 0600), so runs started by `baton run`
 * and served by `baton dev` read each other's results. Settings given in the
 * environment always win.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateKey } from '../shared/codec/index.ts';
import type { Env } from '../shared/config/index.ts';

export function batonDir(cwd = process.cwd()): string {
  const dir = resolve(cwd, '.baton');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function readOrCreate(path: string, make: () => string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return value;
}

export interface LocalSettings {
  readonly env: Env;
  /** Set when the API key was made here and should be shown to the developer. */
  readonly apiKeyFile: string | undefined;
}

/** Returns env with the local defaults filled in; never touches a setting that is already there. */
export function withLocalDefaults(env: Env, cwd = process.cwd()): LocalSettings {
  const dir = batonDir(cwd);
  const out: Env = { ...env };
  if (!out.ENCRYPTION_KEY && !out.BATON_ENCRYPTION_KEYS) {
    out.ENCRYPTION_KEY = readOrCreate(join(dir, 'encryption-key'), generateKey);
  }
  let apiKeyFile: string | undefined;
  if (!out.BATON_API_KEYS) {
    apiKeyFile = join(dir, 'api-key');
    out.BATON_API_KEYS = readOrCreate(apiKeyFile, () => `bk_${randomBytes(24).toString('base64url')}`);
  }
  // The token of the local codec server, which the dev server's Web UI decodes through.
  out.BATON_CODEC_TOKENS ||= readOrCreate(join(dir, 'codec-token'), () => `bc_${randomBytes(24).toString('base64url')}`);
  out.BATON_RESULTS_URL ??= `file://${join(dir, 'results')}`;
  return { env: out, apiKeyFile };
}
