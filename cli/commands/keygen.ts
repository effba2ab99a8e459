/**
 * `baton keygen`: a new key for the key ring, on stdout alone so scripts can
 * capture it. `--entry` prints it as a BATON_ENCRYPTION_KEYS entry
 * (`kid:base64`); `--from-env` prints the entry of the ENCRYPTION_KEY already
 * set, under the id it has had all along, which is how a lone key joins a ring
 * for rotation; `--token` prints a bearer token (API or codec server).
 */
import { randomBytes } from 'node:crypto';
import { generateKey, keyIdOf, keyRingFromEnv } from '../../shared/codec/index.ts';

export interface KeygenOptions {
  readonly entry?: boolean;
  readonly fromEnv?: boolean;
  readonly token?: boolean;
}

export function keygenCommand(options: KeygenOptions = {}): void {
  if (options.token) {
    console.log(`bt_${randomBytes(24).toString('base64url')}`);
    return;
  }
  if (options.fromEnv) {
    const key = process.env.ENCRYPTION_KEY?.trim();
    keyRingFromEnv({ ENCRYPTION_KEY: key }); // refuses a missing or malformed key, naming the setting
    console.log(`${keyIdOf(Buffer.from(key!, 'base64'))}:${key}`);
    return;
  }
  const key = generateKey();
  console.log(options.entry ? `${keyIdOf(Buffer.from(key, 'base64'))}:${key}` : key);
}
