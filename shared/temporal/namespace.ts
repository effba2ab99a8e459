/**
 * The stage's namespace: registered with Baton's retention where the cluster
 * lets us (the dev server, a self-hosted cluster), only checked where it does
 * not (Temporal Cloud, or a cluster whose authorizer refuses the worker), with
 * a message that says how to create it.
 */
import { status as grpcStatus } from '@grpc/grpc-js';
import type { WorkflowService } from '@temporalio/client';
import { msToTs, tsToMs } from '@temporalio/common/lib/time.js';
import { NamespaceError, errorMessage } from '../errors/index.ts';

export const DEFAULT_RETENTION_DAYS = 14;
const DAY_MS = 24 * 3600 * 1000;

/** Temporal Cloud endpoints: namespaces are created in the Cloud UI or with tcld, never by a client. */
export function isTemporalCloud(address: string): boolean {
  const host = address.replace(/:\d+$/, '').toLowerCase();
  return host.endsWith('.tmprl.cloud') || host.endsWith('.api.temporal.io');
}

export interface NamespaceOptions {
  readonly namespace: string;
  /** For messages only. */
  readonly address: string;
  readonly retentionDays?: number;
  /** False where only a check is allowed; defaults to "not Temporal Cloud". */
  readonly mayRegister?: boolean;
}

export interface NamespaceState {
  readonly status: 'exists' | 'registered';
  /** The namespace's retention in days, as the cluster reports it. */
  readonly retentionDays: number | undefined;
}

const codeOf = (error: unknown) => (error as { code?: number }).code;

function createHint(namespace: string, days: number, cloud: boolean): string {
  return cloud
    ? `create it in Temporal Cloud (UI, or \`tcld namespace create --namespace ${namespace} --retention-days ${days} ...\`) and give this API key or certificate access to it`
    : `create it with \`temporal operator namespace create --namespace ${namespace} --retention ${days}d\`, or let this identity register namespaces`;
}

async function describe(service: WorkflowService, namespace: string): Promise<number | undefined> {
  const response = await service.describeNamespace({ namespace });
  const ms = tsToMs(response.config?.workflowExecutionRetentionTtl);
  return ms === undefined ? undefined : ms / DAY_MS;
}

export async function ensureNamespace(service: WorkflowService, options: NamespaceOptions): Promise<NamespaceState> {
  const { namespace, address } = options;
  const days = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const cloud = isTemporalCloud(address);
  const mayRegister = options.mayRegister ?? !cloud;
  try {
    return { status: 'exists', retentionDays: await describe(service, namespace) };
  } catch (error) {
    const code = codeOf(error);
    if (code === grpcStatus.PERMISSION_DENIED || code === grpcStatus.UNAUTHENTICATED) {
      throw new NamespaceError(
        namespace,
        `namespace "${namespace}" at ${address}: access denied (${errorMessage(error)}); check that the API key or client certificate is allowed on this namespace`,
        { cause: error },
      );
    }
    if (code !== grpcStatus.NOT_FOUND) throw error;
  }
  if (!mayRegister) {
    throw new NamespaceError(namespace, `namespace "${namespace}" does not exist at ${address}; ${createHint(namespace, days, cloud)}`);
  }
  try {
    await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(days * DAY_MS) });
  } catch (error) {
    const code = codeOf(error);
    if (code === grpcStatus.ALREADY_EXISTS) return { status: 'exists', retentionDays: await describe(service, namespace) };
    if (code === grpcStatus.PERMISSION_DENIED || code === grpcStatus.UNIMPLEMENTED || code === grpcStatus.UNAUTHENTICATED) {
      throw new NamespaceError(
        namespace,
        `namespace "${namespace}" does not exist at ${address} and this cluster does not let Baton register it (${errorMessage(error)}); ${createHint(namespace, days, cloud)}`,
        { cause: error },
      );
    }
    throw error;
  }
  // The frontend caches namespaces for a moment; wait until it answers for the new one.
  for (let attempt = 0; ; attempt++) {
    try {
      return { status: 'registered', retentionDays: await describe(service, namespace) };
    } catch (error) {
      if (codeOf(error) !== grpcStatus.NOT_FOUND || attempt >= 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Runs `fn`, retrying while the cluster still answers NOT_FOUND for a
 * namespace registered a moment ago: the frontend's namespace cache catches
 * up with the workflow service before the operator service (search
 * attributes, say).
 */
export async function whenNamespaceKnown<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (codeOf(error) !== grpcStatus.NOT_FOUND || attempt >= 150) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
