/**
 * Stands in for @temporalio/worker/lib/workflow/bundler in the worker's
 * built artefact (scripts/bundle-worker.ts). The deployed worker runs a
 * prebuilt workflow bundle (BATON_WORKFLOW_BUNDLE), so the SDK's webpack
 * bundler, and the native tools webpack's plugins load, stay out of the image.
 */
function unavailable(): never {
  throw new Error('this worker build cannot bundle workflow code: set BATON_WORKFLOW_BUNDLE to a prebuilt bundle (scripts/build-workflow-bundle.ts)');
}

export const defaultWorkflowInterceptorModules: string[] = [];
export const allowedBuiltinModules = ['assert', 'url', 'util'];
export const disallowedBuiltinModules: string[] = [];
export const disallowedModules: string[] = [];
export const moduleMatches = (): boolean => false;
export async function bundleWorkflowCode(): Promise<never> {
  return unavailable();
}
export class WorkflowCodeBundler {
  constructor() {
    unavailable();
  }
}
