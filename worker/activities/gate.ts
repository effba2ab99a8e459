/**
 * The activities of concurrency limits (worker/workflows/gate.ts): each is
 * one Temporal client call a workflow cannot make itself. Ids only.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { arriveSignal, BATON_GATE, type GateActivities, type GateInput } from '../../shared/contract/index.ts';

/** Describes this many runs at once: a gate with a thousand holders must not open a thousand calls together. */
const DESCRIBE_BATCH = 20;

async function hasEnded(client: Client, runId: string): Promise<boolean> {
  try {
    const description = await client.workflow.getHandle(runId).describe();
    return description.status.name !== 'RUNNING';
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return true;
    throw error;
  }
}

export function createGateActivities(client: Client, taskQueue: string): GateActivities {
  return {
    async arriveAtGate({ gateId, limit, runId }) {
      const gateInput: GateInput = { limit };
      await client.workflow.signalWithStart(BATON_GATE, {
        workflowId: gateId,
        taskQueue,
        args: [gateInput],
        signal: arriveSignal,
        signalArgs: [{ runId }],
      });
    },
    async endedRuns({ runIds }) {
      const ended: string[] = [];
      for (let start = 0; start < runIds.length; start += DESCRIBE_BATCH) {
        const batch = runIds.slice(start, start + DESCRIBE_BATCH);
        const flags = await Promise.all(batch.map((runId) => hasEnded(client, runId)));
        ended.push(...batch.filter((_, index) => flags[index]));
      }
      return ended;
    },
  };
}
