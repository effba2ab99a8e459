/** What the API's routes work with: created once per process (a Lambda container), shared by every request. */
import type { Client } from '@temporalio/client';
import type { ApiKeyCheck } from '../../shared/auth/api-keys.ts';
import type { ApprovalLinks } from '../../shared/auth/approval-links.ts';
import type { Registry } from '../../shared/definition/index.ts';
import type { ResultStore } from '../../shared/store/index.ts';
import type { VersionStore } from '../../shared/versions/index.ts';
import type { UiAssets } from './ui-assets.ts';
import type { StartRateLimit } from './start-rate.ts';

export interface ApiDeps {
  readonly client: Client;
  readonly store: ResultStore;
  readonly taskQueue: string;
  /** Where triggers find workflows: the released versions (versionRegistry) in a deployment. */
  readonly registry: Registry;
  /** Published versions; absent: those of `store` (versionStoreOf). */
  readonly versions?: VersionStore;
  readonly checkApiKey: ApiKeyCheck;
  /** Verifies approval resume tokens (/v1/approvals/...); absent: those links answer 404. */
  readonly approvalLinks?: ApprovalLinks;
  /** The run viewer's built files, served under /ui/ (absent: /ui/ answers 404). */
  readonly ui?: UiAssets;
  /** Takes a run start from the caller's budget (BATON_RUN_START_RATE), or throws the 429; absent: no limit. */
  readonly limitStarts?: StartRateLimit;
}

/** The deps, or how to get them: the Lambda handler reads its settings on the first request, not at import. */
export type DepsSource = ApiDeps | (() => Promise<ApiDeps>);
