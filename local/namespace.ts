/** Registers the stage's namespace where Baton may (a local or self-hosted cluster). */
import { Connection } from '@temporalio/client';
import { status as grpcStatus } from '@grpc/grpc-js';
import { msToTs } from '@temporalio/common/lib/time.js';

export const DEFAULT_RETENTION_DAYS = 14;

export async function ensureNamespace(address: string, namespace: string, retentionDays = DEFAULT_RETENTION_DAYS): Promise<'exists' | 'registered'> {
  const connection = await Connection.connect({ address });
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return 'exists';
    } catch (error) {
      if ((error as { code?: number }).code !== grpcStatus.NOT_FOUND) throw error;
    }
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 3600 * 1000),
    });
    // The frontend caches namespaces for a moment; wait until it answers for the new one.
    for (let i = 0; i < 50; i++) {
      try {
        await connection.workflowService.describeNamespace({ namespace });
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return 'registered';
  } finally {
    await connection.close();
  }
}
