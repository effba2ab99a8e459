/** Against the run's real Temporal dev server, except where a fault it cannot produce is injected (said so below). */
import { status as grpcStatus } from '@grpc/grpc-js';
import { Connection, type WorkflowService } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureNamespace, isTemporalCloud } from '../../../../shared/temporal/index.ts';
import { rejection } from '../../../support/rejection.ts';
import { NamespaceError } from '../../../../shared/errors/index.ts';

let connection: Connection;
const address = inject('temporalAddress');
const fresh = (label: string) => `baton-ns-${label}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  connection = await Connection.connect({ address });
});
afterAll(async () => {
  await connection?.close();
});


describe('ensureNamespace', () => {
  it('registers a missing namespace with 14 days of retention, then finds it', async () => {
    const namespace = fresh('new');
    const first = await ensureNamespace(connection.workflowService, { namespace, address });
    expect(first).toEqual({ status: 'registered', retentionDays: 14 });
    const described = await connection.workflowService.describeNamespace({ namespace });
    expect(described.namespaceInfo?.name).toBe(namespace);
    expect(await ensureNamespace(connection.workflowService, { namespace, address })).toEqual({ status: 'exists', retentionDays: 14 });
  });

  it('registers with another retention when asked', async () => {
    const namespace = fresh('ret');
    expect(await ensureNamespace(connection.workflowService, { namespace, address, retentionDays: 3 })).toEqual({
      status: 'registered',
      retentionDays: 3,
    });
  });

  it('only checks where it may not register (Temporal Cloud), and says how to create the namespace', async () => {
    const namespace = fresh('cloud');
    const error = await rejection(ensureNamespace(connection.workflowService, { namespace, address: 'acme.a1b2c.tmprl.cloud:7233', mayRegister: false }));
    expect(error).toBeInstanceOf(NamespaceError);
    expect(error.message).toBe(
      `namespace "${namespace}" does not exist at acme.a1b2c.tmprl.cloud:7233; create it in Temporal Cloud (UI, or \`tcld namespace create --namespace ${namespace} --retention-days 14 ...\`) and give this API key or certificate access to it`,
    );
    await expect(connection.workflowService.describeNamespace({ namespace })).rejects.toMatchObject({ code: grpcStatus.NOT_FOUND });
  });

  it('explains a cluster that refuses registration', async () => {
    // The dev server lets anyone register namespaces; a cluster with an authorizer
    // refuses with PERMISSION_DENIED, which cannot be caused here, so that answer is injected.
    const refusing = {
      describeNamespace: (request: { namespace?: string | null }) => connection.workflowService.describeNamespace(request),
      registerNamespace: () => Promise.reject(Object.assign(new Error('7 PERMISSION_DENIED: Request unauthorized.'), { code: grpcStatus.PERMISSION_DENIED })),
    } as unknown as WorkflowService;
    const namespace = fresh('denied');
    const error = await rejection(ensureNamespace(refusing, { namespace, address }));
    expect(error).toBeInstanceOf(NamespaceError);
    expect(error.message).toMatch(new RegExp(`^namespace "${namespace}" does not exist at ${address} and this cluster does not let Baton register it \\(7 PERMISSION_DENIED: Request unauthorized.\\); create it with \`temporal operator namespace create --namespace ${namespace} --retention 14d\``));
  });

  it('tells Temporal Cloud endpoints apart', () => {
    expect(isTemporalCloud('acme.a1b2c.tmprl.cloud:7233')).toBe(true);
    expect(isTemporalCloud('eu-west-1.aws.api.temporal.io:7233')).toBe(true);
    expect(isTemporalCloud('temporal.internal:7233')).toBe(false);
    expect(isTemporalCloud('127.0.0.1:7233')).toBe(false);
  });
});
