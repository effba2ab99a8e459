/**
 * An approval block in the side panel: who may decide, until when, and the
 * decision once made; while it waits, approve or reject with a comment, as
 * the signed-in key (its name is the decision's `by`, checked against the
 * block's approvers by the run itself).
 */
import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { formatTime } from '../format.ts';
import type { BlockState } from '../types.ts';

export function ApprovalFacts(props: { runId: string; blockId: string; state: BlockState }) {
  const approval = props.state.approval;
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const decide = async (decision: 'approve' | 'reject') => {
    setBusy(true);
    setError(undefined);
    try {
      const path = `/v1/runs/${encodeURIComponent(props.runId)}/blocks/${encodeURIComponent(props.blockId)}/${decision}`;
      await api('POST', path, comment === '' ? {} : { comment });
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const decision = approval?.decision;
  return (
    <div class="approval">
      <dl class="facts">
        <dt>Approvers</dt>
        <dd class="approvers">{approval?.approvers ? approval.approvers.join(', ') : 'any API key'}</dd>
        {approval?.expiresAt !== undefined && (
          <>
            <dt>Expires</dt>
            <dd>{formatTime(approval.expiresAt)}</dd>
          </>
        )}
        {decision && (
          <>
            <dt>Decision</dt>
            <dd class="approval-decision">
              {decision.approved ? 'approved' : 'rejected'} by {decision.by} at {formatTime(decision.at)}
            </dd>
          </>
        )}
      </dl>
      {props.state.status === 'waiting' && !decision && (
        <div class="decide">
          <label>
            Comment (optional)
            <textarea class="approval-comment" rows={2} maxLength={10_000} value={comment} onInput={(event) => setComment((event.target as HTMLTextAreaElement).value)} />
          </label>
          <button type="button" class="approve" disabled={busy} onClick={() => void decide('approve')}>
            Approve
          </button>{' '}
          <button type="button" class="danger reject" disabled={busy} onClick={() => void decide('reject')}>
            Reject
          </button>
        </div>
      )}
      {error && (
        <p class="error approval-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
