/**
 * An approval's decision as the block's data. The comment never crosses
 * Temporal: the API stored it under the decision's id, and it is read here.
 */
import type { ResultStore } from '../../shared/store/index.ts';
import { storeKeys, type ApprovalData, type RecordApprovalInput, type ResultRef } from '../../shared/contract/index.ts';

export async function recordApproval(store: ResultStore, input: RecordApprovalInput): Promise<ResultRef> {
  const stored = input.commentRef
    ? await store.getJson<{ comment?: unknown }>(storeKeys.approvalComment(input.runId, input.blockId, input.commentRef))
    : undefined;
  const data: ApprovalData = {
    approved: input.approved,
    by: input.by,
    at: new Date(input.at).toISOString(),
    comment: typeof stored?.comment === 'string' ? stored.comment : null,
  };
  const error = input.error ? { type: input.error.type, message: input.error.message } : undefined;
  const put = await store.putJson(storeKeys.block(input.runId, input.blockId), { data, ...(error ? { error } : {}) });
  return { ref: put.key, bytes: put.bytes };
}
