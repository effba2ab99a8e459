import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { BlockGraph } from '../components/block-graph.tsx';
import { BlockPanel } from '../components/block-panel.tsx';
import { JsonView } from '../components/json-view.tsx';
import { StatusBadge } from '../components/status-badge.tsx';
import { useApi } from '../components/use-api.ts';
import { links } from '../format.ts';
import { navigate } from '../router.ts';
import type { RunOutput, RunPlan, RunStatus, RunTrigger } from '../types.ts';

const POLL_MS = 1000;

/** The run's status, polled while it runs. */
function useRunStatus(runId: string): { status: RunStatus | undefined; error: string | undefined } {
  const [status, setStatus] = useState<RunStatus | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const next = await api<RunStatus>('GET', `/v1/runs/${encodeURIComponent(runId)}`);
        if (!live) return;
        setStatus(next);
        setError(undefined);
        if (next.status === 'running') timer = setTimeout(() => void poll(), POLL_MS);
      } catch (e) {
        if (!live) return;
        setError(errorText(e));
        timer = setTimeout(() => void poll(), POLL_MS * 3);
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [runId]);
  return { status, error };
}

function RerunForm(props: { runId: string; plan: RunPlan; fromBlock: string; onFromBlock: (id: string) => void; onClose: () => void }) {
  const trigger = useApi<RunTrigger>(`/v1/runs/${encodeURIComponent(props.runId)}/trigger`);
  const [input, setInput] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const text = input ?? (trigger.data ? JSON.stringify(trigger.data.data, null, 2) : '');
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      setError(`The trigger data is not JSON: ${(e as Error).message}`);
      return;
    }
    try {
      const started = await api<{ runId: string }>('POST', `/v1/runs/${encodeURIComponent(props.runId)}/rerun`, {
        ...(props.fromBlock ? { fromBlock: props.fromBlock } : {}),
        data,
      });
      navigate(links.run(started.runId));
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="card rerun" onSubmit={(e) => void submit(e)}>
      <h2>Rerun</h2>
      <label>
        From block{' '}
        <select id="rerun-from" value={props.fromBlock} onChange={(e) => props.onFromBlock(e.currentTarget.value)}>
          <option value="">(every block)</option>
          {props.plan.blocks.map((b) => (
            <option key={b.id} value={b.id}>
              {b.id}
            </option>
          ))}
        </select>
      </label>
      <p class="muted">Blocks upstream of it keep this run's results; it and everything after it run again.</p>
      <label>
        Trigger data (JSON)
        <textarea id="rerun-input" rows={5} spellcheck={false} value={text} onInput={(e) => setInput(e.currentTarget.value)} />
      </label>
      {trigger.error && <p class="error">{trigger.error}</p>}
      <button type="submit" disabled={!trigger.data && !trigger.error}>
        Start the rerun
      </button>{' '}
      <button type="button" class="link" onClick={props.onClose}>
        Close
      </button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

export function RunPage(props: { runId: string }) {
  const plan = useApi<RunPlan>(`/v1/runs/${encodeURIComponent(props.runId)}/plan`);
  const { status, error } = useRunStatus(props.runId);
  const [selected, setSelected] = useState<string | undefined>();
  const [rerunFrom, setRerunFrom] = useState<string | undefined>();
  const [actionError, setActionError] = useState<string | undefined>();
  const done = status !== undefined && status.status !== 'running';
  const output = useApi<RunOutput>(done ? `/v1/runs/${encodeURIComponent(props.runId)}/output` : undefined);
  const cancel = async () => {
    setActionError(undefined);
    try {
      await api('POST', `/v1/runs/${encodeURIComponent(props.runId)}/cancel`);
    } catch (e) {
      setActionError(errorText(e));
    }
  };
  const block = plan.data?.blocks.find((b) => b.id === selected);
  return (
    <section class="run-page">
      <nav class="crumbs">
        <a href={links.workflows()}>Workflows</a> / {status && <a href={links.workflow(status.workflow)}>{status.workflow}</a>} / <span>run</span>
      </nav>
      <div class="title-row">
        <h1>
          <code class="run-id">{props.runId}</code>
        </h1>
        {status && <StatusBadge status={status.status} />}
        {status?.version !== undefined && <span class="run-version muted">version {status.version}</span>}
        <span class="actions">
          {status?.status === 'running' && (
            <button type="button" id="cancel-run" class="danger" onClick={() => void cancel()}>
              Cancel
            </button>
          )}
          {status && (
            <button type="button" id="rerun-run" onClick={() => setRerunFrom(selected ?? '')}>
              Rerun…
            </button>
          )}
        </span>
      </div>
      {plan.data?.description && <p class="description">{plan.data.description}</p>}
      {(error || plan.error) && (
        <p class="error" role="alert">
          {error ?? plan.error}
        </p>
      )}
      {actionError && <p class="error" role="alert">{actionError}</p>}
      {status?.error && (
        <div class="run-error" role="alert">
          Failed at block <strong>{status.error.blockId}</strong>: <span class="run-error-message">{status.error.message}</span>
        </div>
      )}
      {rerunFrom !== undefined && plan.data && (
        <RerunForm runId={props.runId} plan={plan.data} fromBlock={rerunFrom} onFromBlock={setRerunFrom} onClose={() => setRerunFrom(undefined)} />
      )}
      <div class="run-body">
        {plan.data && status && <BlockGraph plan={plan.data} blocks={status.blocks} selected={selected} onSelect={setSelected} />}
        {block && <BlockPanel runId={props.runId} block={block} state={status?.blocks[block.id]} onRerunFrom={(id) => setRerunFrom(id)} />}
      </div>
      {!block && plan.data && <p class="muted hint">Select a block for its attempts, timings, logs and data.</p>}
      <h2>Output</h2>
      {!done && <p class="muted">The run is still going.</p>}
      {done && status.status !== 'completed' && <p class="muted">A {status.status} run has no output.</p>}
      {done && status.status === 'completed' && output.data && (
        <div class="output">
          <JsonView value={output.data.output} name={`${props.runId}-output`} empty="(no output)" />
        </div>
      )}
    </section>
  );
}
