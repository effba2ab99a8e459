import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { useApi } from '../components/use-api.ts';
import { formatDuration, formatTime, links } from '../format.ts';
import { navigate } from '../router.ts';
import type { RunPage } from '../types.ts';

const STATUSES = ['running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'];
const PAGE_SIZE = 50;

function StartRun(props: { name: string }) {
  const [input, setInput] = useState('{}');
  const [error, setError] = useState<string | undefined>();
  const start = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    let data: unknown;
    try {
      data = JSON.parse(input);
    } catch (e) {
      setError(`The input is not JSON: ${(e as Error).message}`);
      return;
    }
    try {
      const started = await api<{ runId?: string }>('POST', `/v1/workflows/${encodeURIComponent(props.name)}/runs`, data);
      if (started?.runId) navigate(links.run(started.runId));
      else setError('The run answered without a run id (a sync workflow replies with its response).');
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <form class="card start-run" onSubmit={(e) => void start(e)}>
      <label>
        Trigger data (JSON)
        <textarea id="start-input" rows={4} spellcheck={false} value={input} onInput={(e) => setInput(e.currentTarget.value)} />
      </label>
      <button type="submit">Start run</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

export function RunsPage(props: { name: string }) {
  const [status, setStatus] = useState('');
  // The cursors of the pages before this one, so Back retraces them.
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const query = new URLSearchParams({ limit: String(PAGE_SIZE), ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
  const page = useApi<RunPage>(`/v1/workflows/${encodeURIComponent(props.name)}/runs?${query.toString()}`);
  return (
    <section>
      <nav class="crumbs">
        <a href={links.workflows()}>Workflows</a> / <span>{props.name}</span>
      </nav>
      <div class="title-row">
        <h1 class="workflow-title">{props.name}</h1>
      </div>
      <StartRun name={props.name} />
      <div class="toolbar">
        <label>
          Status{' '}
          <select
            id="status-filter"
            value={status}
            onChange={(e) => {
              setStatus(e.currentTarget.value);
              setCursors([]);
            }}
          >
            <option value="">all</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="small" onClick={page.reload}>
          Refresh
        </button>
        <span class="pager">
          <button type="button" class="small" id="prev-page" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
            ← Newer
          </button>
          <span class="muted page-number">page {cursors.length + 1}</span>
          <button
            type="button"
            class="small"
            id="next-page"
            disabled={!page.data?.nextCursor || page.loading}
            onClick={() => page.data?.nextCursor && setCursors((c) => [...c, page.data!.nextCursor!])}
          >
            Older →
          </button>
        </span>
      </div>
      {page.error && <p class="error" role="alert">{page.error}</p>}
      {page.data && page.data.runs.length === 0 && <p class="muted">No runs{status ? ` with status ${status}` : ''}.</p>}
      {page.data && page.data.runs.length > 0 && (
        <table class={`list runs${page.loading ? ' loading' : ''}`}>
          <thead>
            <tr>
              <th>Run</th>
              <th>Status</th>
              <th>Started</th>
              <th>Duration</th>
              <th>Trigger</th>
            </tr>
          </thead>
          <tbody>
            {page.data.runs.map((run) => (
              <tr key={run.runId} data-run={run.runId}>
                <td>
                  <a href={links.run(run.runId)}>
                    <code>{run.runId}</code>
                  </a>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td>{formatTime(run.startedAt)}</td>
                <td>{formatDuration(run.durationMs)}</td>
                <td>
                  {run.trigger ?? ''}
                  {run.rerunOf && (
                    <>
                      {' of '}
                      <a href={links.run(run.rerunOf)}>
                        <code>{run.rerunOf}</code>
                      </a>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
