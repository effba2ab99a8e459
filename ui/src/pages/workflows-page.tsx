import { useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';
import { StatusBadge } from '../components/status-badge.tsx';
import { useApi } from '../components/use-api.ts';
import { formatTime, links } from '../format.ts';
import type { WorkflowSchedule, WorkflowSummary } from '../types.ts';

function ScheduleRow(props: { schedule: WorkflowSchedule; onChanged: () => void }) {
  const { schedule } = props;
  const [message, setMessage] = useState<string | undefined>();
  const act = async (action: 'pause' | 'resume' | 'trigger') => {
    setMessage(undefined);
    try {
      await api('POST', `/v1/schedules/${encodeURIComponent(schedule.scheduleId)}/${action}`);
      setMessage(action === 'trigger' ? 'triggered' : undefined);
      props.onChanged();
    } catch (error) {
      setMessage(errorText(error));
    }
  };
  return (
    <li class="schedule" data-schedule={schedule.scheduleId}>
      <span class="schedule-id">{schedule.id}</span> <code>{schedule.cron}</code> <span class="muted">{schedule.timezone}</span>{' '}
      {schedule.missing ? (
        <span class="badge status-pending">not created yet</span>
      ) : (
        <>
          {schedule.paused ? <span class="badge status-cancelled">paused</span> : <span class="badge status-completed">active</span>}
          <span class="next-run"> next: {schedule.paused ? '—' : formatTime(schedule.nextRuns[0]) || '—'}</span>
          <span class="actions">
            {schedule.paused ? (
              <button type="button" class="small" onClick={() => void act('resume')}>
                Resume
              </button>
            ) : (
              <button type="button" class="small" onClick={() => void act('pause')}>
                Pause
              </button>
            )}
            <button type="button" class="small" onClick={() => void act('trigger')}>
              Trigger now
            </button>
          </span>
        </>
      )}
      {message && <span class="muted"> {message}</span>}
    </li>
  );
}

export function WorkflowsPage() {
  const workflows = useApi<{ workflows: WorkflowSummary[] }>('/v1/workflows');
  return (
    <section>
      <div class="title-row">
        <h1>Workflows</h1>
        <button type="button" class="small" onClick={workflows.reload}>
          Refresh
        </button>
      </div>
      {workflows.error && <p class="error" role="alert">{workflows.error}</p>}
      {workflows.data && workflows.data.workflows.length === 0 && <p class="muted">No workflows are deployed.</p>}
      {workflows.data && workflows.data.workflows.length > 0 && (
        <table class="list workflows">
          <thead>
            <tr>
              <th>Name</th>
              <th>Triggers</th>
              <th>Last runs</th>
            </tr>
          </thead>
          <tbody>
            {workflows.data.workflows.map((w) => (
              <tr key={w.name} data-workflow={w.name}>
                <td>
                  <a class="workflow-name" href={links.workflow(w.name)}>
                    {w.name}
                  </a>
                  {w.description && <div class="description">{w.description}</div>}
                  <div class="muted">{w.blocks === 1 ? '1 block' : `${w.blocks} blocks`}</div>
                </td>
                <td>
                  <div>
                    HTTP <span class="muted">{w.triggers.http.mode}</span>
                  </div>
                  {w.triggers.schedules.length > 0 && (
                    <ul class="schedules">
                      {w.triggers.schedules.map((s) => (
                        <ScheduleRow key={s.scheduleId} schedule={s} onChanged={workflows.reload} />
                      ))}
                    </ul>
                  )}
                </td>
                <td>
                  {w.lastRuns.length === 0 ? (
                    <span class="muted">none yet</span>
                  ) : (
                    <ul class="last-runs">
                      {w.lastRuns.map((run) => (
                        <li key={run.runId}>
                          <StatusBadge status={run.status} /> <a href={links.run(run.runId)}>{formatTime(run.startedAt)}</a>
                        </li>
                      ))}
                    </ul>
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
