/**
 * Published versions of workflows, in the result store (docs/design.md,
 * "Versions"):
 *
 *   workflows/{name}/versions/{n}   one per distinct content, n = 1, 2, 3...
 *   workflows/{name}/releases/{r}   the release log: the highest r names the released version
 *
 * Both are written only by atomic creates (ResultStore.createJson), never
 * rewritten, so two publishers or releasers at the same moment cannot lose
 * each other: each claims the next free number, and one that finds its
 * number taken reads what took it and moves on to the next. A publisher
 * that finds its own content under the number it lost is done: that is how
 * identical publishes at the same moment end with one version.
 *
 * Objects that exist never change, so they are cached for the life of the
 * process; what is released is read again after RELEASE_CACHE_MS.
 */
import type { CompiledDefinition, Definition } from '../definition/index.ts';
import { storeKeys } from '../contract/index.ts';
import { VersionError } from '../errors/index.ts';
import type { ResultStore } from '../store/index.ts';

/** How long a process trusts the released version it read: a release reaches every API and worker within this. */
export const RELEASE_CACHE_MS = 1000;

export interface VersionInfo {
  readonly name: string;
  readonly version: number;
  readonly hash: string;
  /** The API key name that published it, or `bootstrap` for the workflows directory. */
  readonly publishedBy: string;
  /** ISO 8601. */
  readonly publishedAt: string;
  readonly message?: string;
}

export interface StoredVersion extends VersionInfo {
  readonly definition: Definition;
}

export interface ReleaseEntry {
  readonly release: number;
  readonly version: number;
  readonly releasedBy: string;
  readonly releasedAt: string;
}

export interface PublishOptions {
  readonly by: string;
  readonly message?: string;
  /** Make this version the released one (default true); with false it is only stored. */
  readonly release?: boolean;
}

export interface PublishResult {
  readonly name: string;
  readonly version: number;
  readonly hash: string;
  /** False: this content was already a version, and that version is the answer. */
  readonly created: boolean;
  /** A release entry was appended for this version by this call. */
  readonly released: boolean;
}

function numbersOf(names: readonly string[]): number[] {
  return names
    .filter((name) => /^[1-9][0-9]{0,15}$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
}

function infoOf(stored: StoredVersion): VersionInfo {
  const { definition: _definition, ...info } = stored;
  return info;
}

export class VersionStore {
  private readonly versionCache = new Map<string, StoredVersion>();
  private readonly releaseCache = new Map<string, ReleaseEntry>();
  private readonly releasedCache = new Map<string, { readonly until: number; readonly entry: Promise<ReleaseEntry | undefined> }>();

  constructor(
    readonly store: ResultStore,
    private readonly options: { readonly releaseCacheMs?: number; readonly now?: () => Date } = {},
  ) {}

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Every workflow name with at least one stored version, sorted. */
  async names(): Promise<string[]> {
    return this.store.list(storeKeys.workflows());
  }

  async version(name: string, version: number): Promise<StoredVersion | undefined> {
    const key = storeKeys.workflowVersion(name, version);
    const cached = this.versionCache.get(key);
    if (cached) return cached;
    const stored = await this.store.getJson<StoredVersion>(key);
    if (stored) this.versionCache.set(key, stored);
    return stored;
  }

  async requireVersion(name: string, version: number): Promise<StoredVersion> {
    const stored = await this.version(name, version);
    if (!stored) throw new VersionError('not_found', `workflow "${name}" has no version ${version}`);
    return stored;
  }

  /** A workflow's versions, oldest first (empty when it has none). */
  async versions(name: string): Promise<VersionInfo[]> {
    const numbers = numbersOf(await this.store.list(storeKeys.workflowVersions(name)));
    const stored = await Promise.all(numbers.map((n) => this.version(name, n)));
    return stored.flatMap((s) => (s ? [infoOf(s)] : []));
  }

  /** The release log, oldest first. */
  async releases(name: string): Promise<ReleaseEntry[]> {
    const numbers = numbersOf(await this.store.list(storeKeys.workflowReleases(name)));
    const entries = await Promise.all(numbers.map((n) => this.releaseEntry(name, n)));
    return entries.flatMap((e) => (e ? [e] : []));
  }

  private async releaseEntry(name: string, release: number): Promise<ReleaseEntry | undefined> {
    const key = storeKeys.workflowRelease(name, release);
    const cached = this.releaseCache.get(key);
    if (cached) return cached;
    const entry = await this.store.getJson<ReleaseEntry>(key);
    if (entry) this.releaseCache.set(key, entry);
    return entry;
  }

  /** The latest release entry, read from the store at most once per RELEASE_CACHE_MS. */
  async releaseOf(name: string): Promise<ReleaseEntry | undefined> {
    const cached = this.releasedCache.get(name);
    if (cached && cached.until > Date.now()) return cached.entry;
    const entry = (async () => {
      const numbers = numbersOf(await this.store.list(storeKeys.workflowReleases(name)));
      const last = numbers.at(-1);
      return last === undefined ? undefined : this.releaseEntry(name, last);
    })();
    this.releasedCache.set(name, { until: Date.now() + (this.options.releaseCacheMs ?? RELEASE_CACHE_MS), entry });
    entry.catch(() => this.releasedCache.delete(name));
    return entry;
  }

  /** The released version of a workflow, or undefined when none is. */
  async released(name: string): Promise<StoredVersion | undefined> {
    const entry = await this.releaseOf(name);
    return entry ? this.requireVersion(name, entry.version) : undefined;
  }

  /**
   * Stores the definition as a new version unless its content already is
   * one, and (unless `release: false`) makes that version the released one
   * when it is not already.
   */
  async publish(compiled: CompiledDefinition, options: PublishOptions): Promise<PublishResult> {
    const name = compiled.definition.name;
    const { hash } = compiled;
    const known = await this.versions(name);
    let version = known.find((v) => v.hash === hash)?.version;
    let created = false;
    if (version === undefined) {
      let next = (known.at(-1)?.version ?? 0) + 1;
      for (;;) {
        const record: StoredVersion = {
          name,
          version: next,
          hash,
          publishedBy: options.by,
          publishedAt: this.now().toISOString(),
          ...(options.message ? { message: options.message } : {}),
          definition: compiled.definition,
        };
        if (await this.store.createJson(storeKeys.workflowVersion(name, next), record)) {
          this.versionCache.set(storeKeys.workflowVersion(name, next), record);
          version = next;
          created = true;
          break;
        }
        // Taken by another publisher: if it published this same content, that version is ours too.
        const other = await this.version(name, next);
        if (other?.hash === hash) {
          version = next;
          break;
        }
        next += 1;
      }
    }
    let released = false;
    if (options.release !== false) {
      this.releasedCache.delete(name);
      const current = await this.releaseOf(name);
      if (current?.version !== version) {
        await this.appendRelease(name, version, options.by);
        released = true;
      }
    }
    return { name, version, hash, created, released };
  }

  /** Makes `version` the released one (back or forward); refuses a version that does not exist. */
  async release(name: string, version: number, by: string): Promise<ReleaseEntry> {
    await this.requireVersion(name, version);
    return this.appendRelease(name, version, by);
  }

  private async appendRelease(name: string, version: number, by: string): Promise<ReleaseEntry> {
    let next = (numbersOf(await this.store.list(storeKeys.workflowReleases(name))).at(-1) ?? 0) + 1;
    for (;;) {
      const entry: ReleaseEntry = { release: next, version, releasedBy: by, releasedAt: this.now().toISOString() };
      const key = storeKeys.workflowRelease(name, next);
      if (await this.store.createJson(key, entry)) {
        this.releaseCache.set(key, entry);
        this.releasedCache.delete(name);
        return entry;
      }
      next += 1;
    }
  }
}

/** One VersionStore per result store, so every part of a process shares its caches. */
const byStore = new WeakMap<ResultStore, VersionStore>();

export function versionStoreOf(store: ResultStore): VersionStore {
  let versions = byStore.get(store);
  if (!versions) byStore.set(store, (versions = new VersionStore(store)));
  return versions;
}
