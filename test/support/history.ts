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

/**
 * What the SDK itself writes in clear, besides the search attributes it is
 * given: a local activity's marker data (its sequence number, activity type
 * and times; its result and failure go through the codec) and a patch's marker
 * data and TemporalChangeVersion search attribute (the patch id, one of
 * batonRun's). Each may hold these fields and nothing else.
 */
const BOOKKEEPING: Record<string, Record<string, ReadonlySet<string>>> = {
  core_local_activity: {
    data: new Set(['seq', 'attempt', 'activity_id', 'activity_type', 'complete_time', 'backoff', 'original_schedule_time']),
  },
  core_patch: { 'patch-data': new Set(['id', 'deprecated']) },
};

export interface Bookkeeping<P> {
  readonly payload: P;
  /** The marker's name (`core_local_activity`, `core_patch`) or `TemporalChangeVersion`. */
  readonly kind: string;
  /** The payload's JSON, when it holds nothing but the SDK's own fields; undefined otherwise. */
  readonly onlyBookkeeping: () => unknown;
}

type AnyPayload = { readonly metadata?: unknown; readonly data?: Uint8Array | string | null };
type AnyEvent = {
  markerRecordedEventAttributes?: { markerName?: string | null; details?: Record<string, { payloads?: AnyPayload[] | null }> | null } | null;
  upsertWorkflowSearchAttributesEventAttributes?: { searchAttributes?: { indexedFields?: Record<string, AnyPayload> | null } | null } | null;
};

/**
 * The SDK's bookkeeping payloads in a history, as protobuf objects (bytes as
 * Uint8Array) or as the CLI's JSON (bytes as base64); `patchIds` are the
 * patches batonRun may record.
 */
export function sdkBookkeeping<P extends AnyPayload>(history: unknown, patchIds: readonly string[]): Bookkeeping<P>[] {
  const json = (payload: AnyPayload): unknown =>
    JSON.parse((typeof payload.data === 'string' ? Buffer.from(payload.data, 'base64') : Buffer.from(payload.data ?? [])).toString('utf8'));
  const found: Bookkeeping<P>[] = [];
  for (const event of ((history as { events?: AnyEvent[] | null } | null)?.events ?? [])) {
    const marker = event.markerRecordedEventAttributes;
    for (const [detail, { payloads }] of Object.entries(marker?.details ?? {})) {
      const allowed = BOOKKEEPING[marker?.markerName ?? '']?.[detail];
      for (const payload of allowed ? (payloads ?? []) : []) {
        found.push({
          payload: payload as P,
          kind: marker!.markerName!,
          onlyBookkeeping: () => {
            const value = json(payload);
            const patch = (value as { id?: unknown }).id;
            const fieldsKnown = Object.keys(value as object).every((field) => allowed!.has(field));
            return fieldsKnown && (marker?.markerName !== 'core_patch' || patchIds.includes(String(patch))) ? value : undefined;
          },
        });
      }
    }
    const version = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.TemporalChangeVersion;
    if (version) {
      found.push({
        payload: version as P,
        kind: 'TemporalChangeVersion',
        onlyBookkeeping: () => {
          const value = json(version);
          return Array.isArray(value) && value.every((id) => patchIds.includes(String(id))) ? value : undefined;
        },
      });
    }
  }
  return found;
}
