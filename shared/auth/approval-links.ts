/**
 * The resume links of approval blocks: a token per (run id, block id), an
 * HMAC of a server secret, so nothing is stored for a link and anyone who
 * holds it can decide that one approval (and no other). It is one-time
 * because the first decision consumes the approval: a second use is refused
 * by the run itself (409).
 *
 * The secret is BATON_APPROVAL_SECRET or, unset, derived (HKDF) from each
 * key of the encryption key ring: the first key signs, every key verifies,
 * so links sent before a key rotation keep working.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { keyRingFromEnv } from '../codec/key-ring.ts';
import { envHttpUrl, envText, parseEnv, type Env } from '../config/env-schema.ts';
import { ConfigError } from '../errors/index.ts';

export const approvalLinkSettings = {
  /** Signs the approval links; at least 32 characters. */
  BATON_APPROVAL_SECRET: envText(),
  /** The API's public base URL, for links in emails and chat messages. */
  BATON_API_URL: envHttpUrl(),
};

const MIN_SECRET_LENGTH = 32;
const DEFAULT_API_URL = 'http://127.0.0.1:3000';
const MAC_CHARS = 43; // a whole SHA-256 in base64url

export interface ApprovalTarget {
  readonly runId: string;
  readonly blockId: string;
}

export interface ApprovalLinks {
  token(target: ApprovalTarget): string;
  /** The link's URL: GET shows the approval, POST .../approve or .../reject decides it. */
  url(target: ApprovalTarget): string;
  /** The run and block a token is for, or undefined for a token this server did not make. */
  open(token: string): ApprovalTarget | undefined;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

function mac(secret: Buffer, target: ApprovalTarget): Buffer {
  return createHmac('sha256', secret).update(`baton-approval\0${target.runId}\0${target.blockId}`).digest();
}

/** The ring's raw keys, first (the signing one) first; keyRingFromEnv refuses a bad setting first, naming it. */
function ringKeys(env: Env): Buffer[] {
  keyRingFromEnv(env);
  const list = env.BATON_ENCRYPTION_KEYS?.trim();
  const texts = list ? list.split(',').map((entry) => entry.slice(entry.indexOf(':') + 1)) : [env.ENCRYPTION_KEY ?? ''];
  return texts.map((text) => Buffer.from(text.trim(), 'base64'));
}

export function approvalSecrets(env: Env): Buffer[] {
  const settings = parseEnv(z.object(approvalLinkSettings), env);
  const explicit = settings.BATON_APPROVAL_SECRET;
  if (explicit !== undefined) {
    if (explicit.length < MIN_SECRET_LENGTH) throw new ConfigError('BATON_APPROVAL_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters`);
    return [Buffer.from(explicit, 'utf8')];
  }
  return ringKeys(env).map((key) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'baton approval links', 32)));
}

export function approvalLinksFromEnv(env: Env): ApprovalLinks {
  const secrets = approvalSecrets(env);
  const base = parseEnv(z.object(approvalLinkSettings), env).BATON_API_URL ?? DEFAULT_API_URL;
  const signer = secrets[0]!;
  const token = (target: ApprovalTarget) => `${b64(target.runId)}.${b64(target.blockId)}.${mac(signer, target).toString('base64url')}`;
  return {
    token,
    url: (target) => `${base}/v1/approvals/${token(target)}`,
    open(text) {
      const parts = text.split('.');
      if (parts.length !== 3 || parts[2]!.length !== MAC_CHARS) return undefined;
      const target = { runId: Buffer.from(parts[0]!, 'base64url').toString('utf8'), blockId: Buffer.from(parts[1]!, 'base64url').toString('utf8') };
      // Only a canonical encoding: one link, one spelling.
      if (b64(target.runId) !== parts[0] || b64(target.blockId) !== parts[1]) return undefined;
      const presented = Buffer.from(parts[2]!, 'base64url');
      if (presented.length !== 32 || presented.toString('base64url') !== parts[2]) return undefined;
      let ok = false;
      for (const secret of secrets) ok = timingSafeEqual(mac(secret, target), presented) || ok;
      return ok ? target : undefined;
    },
  };
}
