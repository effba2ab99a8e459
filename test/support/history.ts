/**
 * A run's history as someone without the key sees it: fetched with the real
 * Temporal CLI and no codec (`temporal workflow show --output json`), and the
 * payloads in it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ensureTemporalCli } from '../../local/temporal-cli.ts';

const run = promisify(execFile);

export interface ShowOptions {
  readonly address: string;
  readonly namespace: string;
  readonly workflowId: string;
  /** Extra CLI flags (`--codec-endpoint`, `--codec-auth`). */
  readonly flags?: readonly string[];
}

/** The CLI's JSON history, as text (exactly what it printed) and parsed. */
export async function showHistory(options: ShowOptions): Promise<{ text: string; json: unknown }> {
  const cli = await ensureTemporalCli();
  const { stdout } = await run(
    cli.path,
    [
      'workflow', 'show', '--output', 'json',
      '--address', options.address,
      '--namespace', options.namespace,
      '--workflow-id', options.workflowId,
      ...(options.flags ?? []),
    ],
    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return { text: stdout, json: JSON.parse(stdout) as unknown };
}

export interface JsonPayload {
  readonly metadata: Record<string, string>;
  /** Base64, as protobuf JSON has bytes. */
  readonly data?: string;
}

/**
 * Every payload object (`{ metadata, data? }`) anywhere in the CLI's JSON,
 * apart from search attributes (`within: 'searchAttributes'` gives those alone):
 * Temporal must read those to index them, so no codec may touch them.
 */
export function payloadsIn(value: unknown, within: 'history' | 'searchAttributes' = 'history'): JsonPayload[] {
  const found: JsonPayload[] = [];
  const visit = (node: unknown, inSearchAttributes: boolean): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item) => visit(item, inSearchAttributes));
    const record = node as Record<string, unknown>;
    const metadata = record.metadata;
    const isPayload = metadata && typeof metadata === 'object' && typeof (metadata as Record<string, unknown>).encoding === 'string';
    if (isPayload && inSearchAttributes === (within === 'searchAttributes')) found.push(record as unknown as JsonPayload);
    for (const [key, child] of Object.entries(record)) visit(child, inSearchAttributes || key === 'searchAttributes');
  };
  visit(value, false);
  return found;
}

export const metadataText = (payload: JsonPayload, key: string): string | undefined => {
  const value = payload.metadata[key];
  return value === undefined ? undefined : Buffer.from(value, 'base64').toString('utf8');
};

/** All the bytes an observer can read: the JSON text, and every payload's data and metadata decoded from base64. */
export function readableBytes(text: string, payloads: readonly JsonPayload[]): Buffer {
  const decoded = payloads.flatMap((payload) => [payload.data ?? '', ...Object.values(payload.metadata)].map((value) => Buffer.from(value, 'base64')));
  return Buffer.concat([Buffer.from(text), ...decoded]);
}
