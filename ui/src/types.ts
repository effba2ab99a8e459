/** The API's answers, as the page reads them (functions/api/openapi.ts documents them). */

export interface ApiErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string };
}

/** waiting: an approval block waiting for its decision. */
export type BlockStatus = 'pending' | 'running' | 'waiting' | 'completed' | 'failed' | 'skipped' | 'cancelled';

/** Times come as ISO 8601 strings (older servers sent epoch milliseconds). */
export type Time = string | number;

export interface RunListEntry {
  readonly runId: string;
  readonly workflow: string;
  readonly status: string;
  readonly startedAt: string;
  readonly closedAt?: string;
  readonly durationMs?: number;
  readonly trigger?: string;
  readonly rerunOf?: string;
}

export interface RunPage {
  readonly runs: RunListEntry[];
  readonly nextCursor?: string;
}

export interface WorkflowSchedule {
  readonly id: string;
  readonly scheduleId: string;
  readonly cron: string;
  readonly timezone: string;
  readonly overlap: string;
  readonly paused: boolean;
  readonly nextRuns: string[];
  readonly note?: string;
  readonly missing?: boolean;
}

export interface WorkflowSummary {
  readonly name: string;
  readonly description?: string;
  readonly blocks: number;
  readonly triggers: { readonly http: { readonly mode: string; readonly timeoutMs?: number }; readonly schedules: WorkflowSchedule[] };
  readonly lastRuns: RunListEntry[];
}

export interface BlockState {
  readonly status: BlockStatus;
  readonly attempts: number;
  readonly startedAt?: Time;
  readonly endedAt?: Time;
  readonly error?: { readonly message: string; readonly type: string };
  readonly taken?: number | 'else';
  readonly items?: { readonly total: number; readonly completed: number; readonly failed: number };
  readonly childRunId?: string;
  readonly reused?: boolean;
  /** Approval blocks: who may decide, until when, and the decision once made. */
  readonly approval?: {
    readonly approvers?: readonly string[];
    readonly expiresAt?: Time;
    readonly decision?: { readonly approved: boolean; readonly by: string; readonly at: Time };
  };
}

export interface RunStatus {
  readonly runId: string;
  readonly workflow: string;
  readonly definitionHash: string;
  /** The published version the run started on (absent for runs of a definition file). */
  readonly version?: number;
  readonly status: 'running' | 'completed' | 'failed' | 'cancelled';
  readonly error?: { readonly blockId: string; readonly message: string; readonly type: string };
  readonly response?: { readonly blockId: string };
  readonly blocks: Readonly<Record<string, BlockState>>;
}

export interface GraphBlock {
  readonly id: string;
  readonly type: string;
  readonly after: readonly string[];
  readonly onError?: true;
  readonly workflow?: string;
  readonly loop?: { readonly body: string; readonly concurrency: number };
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: 'after' | 'case' | 'else';
  readonly label?: string;
}

export interface RunPlan {
  readonly runId: string;
  readonly workflow: string;
  readonly description?: string;
  readonly blocks: GraphBlock[];
  readonly edges: GraphEdge[];
}

export interface LogLine {
  readonly level?: string;
  readonly message?: unknown;
  readonly at?: Time;
}

export interface BlockDetail {
  readonly runId: string;
  readonly blockId: string;
  readonly status: string;
  readonly data?: unknown;
  readonly error?: { readonly message: string; readonly type: string };
  readonly logs: LogLine[];
}

export interface RunTrigger {
  readonly type: string;
  readonly data: unknown;
  readonly rerunOf?: string;
  readonly fromBlock?: string;
}

export interface RunOutput {
  readonly status: string;
  readonly output?: unknown;
}
