import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { between, formatDuration, formatTime, links } from '../format.ts';
import type { BlockDetail, BlockState, GraphBlock } from '../types.ts';
import { JsonView } from './json-view.tsx';
import { StatusBadge } from './status-badge.tsx';
import { ApprovalFacts } from './approval-facts.tsx';

function logText(line: BlockDetail['logs'][number]): string {
  const message = typeof line.message === 'string' ? line.message : JSON.stringify(line.message);
  return `${line.at !== undefined ? `${formatTime(line.at)} ` : ''}${line.level ?? 'log'}  ${message}`;
}

export function BlockPanel(props: { runId: string; block: GraphBlock; state: BlockState | undefined; onRerunFrom: (id: string) => void }) {
  const { block, state } = props;
  const [detail, setDetail] = useState<BlockDetail | undefined>();
  const [error, setError] = useState<string | undefined>();
  // Fetched again whenever the block's state moves on (a new attempt, an end, loop progress).
  const version = state ? `${state.status}/${state.attempts}/${state.items ? state.items.completed + state.items.failed : ''}/${state.approval?.decision ? 'decided' : ''}` : '';
  useEffect(() => {
    let live = true;
    setError(undefined);
    api<BlockDetail>('GET', `/v1/runs/${encodeURIComponent(props.runId)}/blocks/${encodeURIComponent(block.id)}`).then(
      (d) => live && setDetail(d),
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [props.runId, block.id, version]);
  const duration = between(state?.startedAt, state?.endedAt);
  return (
    <aside class="panel" data-panel-block={block.id}>
      <div class="panel-head">
        <h2 class="panel-title">{block.id}</h2>
        <StatusBadge status={state?.status ?? 'pending'} />
      </div>
      <dl class="facts">
        <dt>Type</dt>
        <dd>
          {block.type}
          {block.loop ? ` of ${block.loop.body}, ${block.loop.concurrency} at a time` : ''}
          {block.onError ? ' (runs when the run fails)' : ''}
        </dd>
        <dt>Attempts</dt>
        <dd class="attempts">{state?.attempts ?? 0}</dd>
        {state?.startedAt !== undefined && (
          <>
            <dt>Started</dt>
            <dd>{formatTime(state.startedAt)}</dd>
          </>
        )}
        {state?.endedAt !== undefined && (
          <>
            <dt>Ended</dt>
            <dd>
              {formatTime(state.endedAt)} <span class="muted">({formatDuration(duration)})</span>
            </dd>
          </>
        )}
        {block.after.length > 0 && (
          <>
            <dt>After</dt>
            <dd>{block.after.join(', ')}</dd>
          </>
        )}
        {state?.taken !== undefined && (
          <>
            <dt>Taken</dt>
            <dd>{state.taken === 'else' ? 'else' : `case ${state.taken}`}</dd>
          </>
        )}
        {state?.items && (
          <>
            <dt>Items</dt>
            <dd class="loop-items">
              {state.items.completed} completed, {state.items.failed} failed, of {state.items.total}
            </dd>
          </>
        )}
        {(state?.childRunId || block.workflow) && (
          <>
            <dt>Child run</dt>
            <dd>
              {block.workflow && <span>{block.workflow} </span>}
              {state?.childRunId && (
                <a class="child-run" href={links.run(state.childRunId)}>
                  <code>{state.childRunId}</code>
                </a>
              )}
            </dd>
          </>
        )}
        {state?.reused && (
          <>
            <dt>Reused</dt>
            <dd>from the run this one reruns</dd>
          </>
        )}
      </dl>
      {block.type === 'approval' && state && <ApprovalFacts runId={props.runId} blockId={block.id} state={state} />}
      {state?.error && (
        <div class="block-error" role="alert">
          <strong>{state.error.type}</strong>: <span class="block-error-message">{state.error.message}</span>
        </div>
      )}
      <button type="button" class="small" onClick={() => props.onRerunFrom(block.id)}>
        Rerun from this block…
      </button>
      {error && <p class="error">{error}</p>}
      <h3>Logs</h3>
      {detail && detail.logs.length === 0 && <p class="muted">(no logs)</p>}
      {detail && detail.logs.length > 0 && <pre class="logs">{detail.logs.map(logText).join('\n')}</pre>}
      <h3>Data</h3>
      {detail && <JsonView value={detail.data} name={`${props.runId}-${block.id}`} empty="(no data)" />}
    </aside>
  );
}
