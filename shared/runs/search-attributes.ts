/**
 * `BatonWorkflow`: the Keyword search attribute every run carries (the
 * definition's name), so recent runs of one workflow are a visibility query.
 * The dev server gets it at start; ensureNamespace registers it elsewhere.
 */
import type { Client } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';

export const BATON_WORKFLOW_ATTRIBUTE = 'BatonWorkflow';
export const batonWorkflowKey = defineSearchAttributeKey(BATON_WORKFLOW_ATTRIBUTE, SearchAttributeType.KEYWORD);

/**
 * Registers BatonWorkflow on the namespace when it is missing, where the
 * cluster lets us (local, self-hosted); on Temporal Cloud an operator adds it.
 */
export async function ensureSearchAttribute(client: Client, namespace: string): Promise<void> {
  const { operatorService } = client.connection;
  const existing = await operatorService.listSearchAttributes({ namespace });
  if (existing.customAttributes?.[BATON_WORKFLOW_ATTRIBUTE] !== undefined) return;
  await operatorService.addSearchAttributes({
    namespace,
    searchAttributes: { [BATON_WORKFLOW_ATTRIBUTE]: proto.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
  });
}

/**
 * A value as a visibility-query string literal. Temporal's query parser
 * reads backslash escapes inside quotes, so a bare backslash or quote in a
 * value (a workflow name from a URL) would break the query or change it.
 */
export function visibilityString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
