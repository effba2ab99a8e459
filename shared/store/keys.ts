/** Result-store keys (DESIGN §4). Pure: safe to import from workflow code. */

const SAFE_SEGMENT = /^[A-Za-z0-9_.-]{1,200}$/;

function segment(kind: string, value: string): string {
  if (!SAFE_SEGMENT.test(value) || value === '.' || value === '..') {
    throw new Error(`invalid ${kind} for a result-store key: ${JSON.stringify(value)}`);
  }
  return value;
}

export const storeKeys = {
  trigger: (runId: string) => `runs/${segment('run id', runId)}/trigger`,
  block: (runId: string, blockId: string) => `runs/${segment('run id', runId)}/blocks/${segment('block id', blockId)}`,
  loopItem: (runId: string, blockId: string, index: number) =>
    `runs/${segment('run id', runId)}/blocks/${segment('block id', blockId)}/${Math.trunc(index)}`,
  logs: (runId: string, blockId: string) => `runs/${segment('run id', runId)}/logs/${segment('block id', blockId)}`,
  output: (runId: string) => `runs/${segment('run id', runId)}/output`,
  definition: (hash: string) => `definitions/${segment('definition hash', hash)}`,
};
