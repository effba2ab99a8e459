// A local Serverless plugin: builds the run viewer (scripts/build-ui.ts) into
// ui-dist/ before the api function is packaged, so its zip carries the files
// the API serves under /ui/. Listed before serverless-esbuild in serverless.yml.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export default class BuildUi {
  constructor(serverless) {
    const root = serverless.config.servicePath;
    const build = () => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'build-ui.ts'), join(root, 'ui-dist')], { cwd: root, stdio: 'inherit' });
      if (result.status !== 0) throw new Error('scripts/build-ui.ts failed: the run viewer was not built');
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': build,
      'before:deploy:function:packageFunction': build,
    };
  }
}
