/** Result-store keys (docs/design.md). Pure: workflow code imports this. */

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]{1,200}$/;

function segment(kind: string, value: string): string {
  if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..') {
    throw new Error(`invalid ${kind} for a result-store key: ${JSON.stringify(value)}`);
  }
  return value;
}

function positive(kind: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`invalid ${kind} for a result-store key: ${JSON.stringify(value)}`);
  return String(value);
}

export const storeKeys = {
  trigger: (runId: string) => `runs/${segment('run id', runId)}/trigger`,
  block: (runId: string, blockId: string) => `runs/${segment('run id', runId)}/blocks/${segment('block id', blockId)}`,
  loopItem: (runId: string, blockId: string, index: number) =>
    `runs/${segment('run id', runId)}/blocks/${segment('block id', blockId)}/${Math.trunc(index)}`,
  /** A loop's items, in chunks of LOOP_ITEMS_PER_CHUNK (limits.ts), so a body reads only its own chunk. */
  loopItems: (runId: string, blockId: string, chunk: number) =>
    `runs/${segment('run id', runId)}/blocks/${segment('block id', blockId)}/items/${Math.trunc(chunk)}`,
  logs: (runId: string, blockId: string, index?: number) =>
    `runs/${segment('run id', runId)}/logs/${segment('block id', blockId)}${index === undefined ? '' : `/${Math.trunc(index)}`}`,
  /** A decision's comment, written by the API before it sends the decision (which carries only this key's id). */
  approvalComment: (runId: string, blockId: string, decisionId: string) =>
    `runs/${segment('run id', runId)}/approvals/${segment('block id', blockId)}/${segment('decision id', decisionId)}`,
  output: (runId: string) => `runs/${segment('run id', runId)}/output`,
  definition: (hash: string) => `definitions/${segment('definition hash', hash)}`,
  /** Where the published workflows live: one sub-prefix per name. */
  workflows: () => 'workflows',
  /** A workflow's published versions, `{n}` under it, each created once and never rewritten. */
  workflowVersions: (name: string) => `workflows/${segment('workflow name', name)}/versions`,
  workflowVersion: (name: string, version: number) => `workflows/${segment('workflow name', name)}/versions/${positive('version', version)}`,
  /** A workflow's release log, `{n}` under it, append-only: the highest entry names the released version. */
  workflowReleases: (name: string) => `workflows/${segment('workflow name', name)}/releases`,
  workflowRelease: (name: string, release: number) => `workflows/${segment('workflow name', name)}/releases/${positive('release', release)}`,
};
