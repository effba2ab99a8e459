/**
 * Schedules follow releases: after a release of a workflow, its schedules and
 * those of every released workflow that calls it (their actions pin the plans
 * of the workflows they call) are synced to what is now released.
 */
import type { Client } from '@temporalio/client';
import type { CompiledDefinition, Registry } from '../definition/index.ts';
import type { ResultStore } from '../store/index.ts';
import { syncSchedules, type SyncReport } from './reconcile.ts';

function calls(compiled: CompiledDefinition): string[] {
  return compiled.plan.blocks.flatMap((block) => {
    if (block.type === 'workflow') return [block.workflow];
    if (block.type === 'loop' && block.body.type === 'workflow') return [block.body.workflow];
    return [];
  });
}

/** `name` and every workflow among `definitions` that reaches it through workflow steps. */
export function callersOf(name: string, definitions: readonly CompiledDefinition[]): Set<string> {
  const scope = new Set([name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const compiled of definitions) {
      const caller = compiled.definition.name;
      if (!scope.has(caller) && calls(compiled).some((callee) => scope.has(callee))) {
        scope.add(caller);
        grew = true;
      }
    }
  }
  return scope;
}

export async function syncSchedulesAfterRelease(options: {
  client: Client;
  store: ResultStore;
  taskQueue: string;
  registry: Registry;
  workflow: string;
}): Promise<SyncReport> {
  const definitions = await options.registry.list();
  return syncSchedules({ ...options, definitions, only: callersOf(options.workflow, definitions) });
}
