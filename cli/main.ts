/** `baton`: the command line (docs/design.md). Each command lives in cli/commands/. */
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../shared/errors/index.ts';
import { devCommand } from './commands/dev.ts';
import { keygenCommand } from './commands/keygen.ts';
import { runCommand } from './commands/run.ts';
import { validateCommand } from './commands/validate.ts';
import { runsCancel, runsDecide, runsList, runsRerun, runsShow } from './commands/runs.ts';
import { schedulesList, schedulesSync } from './commands/schedules.ts';
import { deployCommand, workflowsList, workflowsRelease, workflowsShow, workflowsVersions } from './commands/workflows.ts';
import { installShutdownHandlers, stopRequestedYet } from './shutdown.ts';
import { watchParent } from '../local/parent-watch.ts';

const log = (line: string) => process.stderr.write(`${line}\n`);
installShutdownHandlers(log);
// bin/baton.js started this process; if it is killed (SIGKILL), stop as on SIGTERM.
watchParent((parent) => {
  log(`baton: the launcher (pid ${parent}) is gone`);
  process.kill(process.pid, 'SIGTERM');
});

const program = new Command('baton')
  .description('Baton: workflows of blocks, orchestrated by Temporal, executed as Lambda functions')
  .showHelpAfterError()
  .exitOverride();

program
  .command('dev')
  .description('run the embedded stack in the foreground: Temporal dev server, Lambda endpoint, worker, API')
  .option('--run <file>', 'run this definition once the stack is up, and print its output')
  .option('--no-ui', 'start the Temporal dev server without its Web UI')
  .option('--api-port <port>', 'port of the HTTP API', '3000')
  .action(devCommand);

program
  .command('run')
  .description('run a definition on the local stack and print its output as JSON')
  .argument('<file>', 'workflow definition (YAML or JSON)')
  .option('--input <json>', 'trigger data, as JSON', 'null')
  .option('--workflows <dir>', 'where workflow blocks find the definitions they call', 'workflows')
  .action(runCommand);

program
  .command('validate')
  .description('check definitions; print every error with its path')
  .argument('<files...>', 'workflow definitions (YAML or JSON)')
  .option('--workflows <dir>', 'where the workflows that workflow blocks start must be', 'workflows')
  .action(validateCommand);

program
  .command('deploy')
  .description('validate and publish definitions through the API (BATON_API_URL, BATON_API_KEY); each new one is released')
  .argument('<paths...>', 'definition files, or directories of them')
  .option('-m, --message <text>', 'why: kept with each new version')
  .option('--no-release', 'store the versions without releasing them')
  .option('--json', 'print JSON')
  .action(deployCommand);

const workflows = program.command('workflows').description('published workflows, their versions and releases (through the API)');
workflows.command('list').description('each workflow, its released version and triggers').option('--json', 'print JSON').action(workflowsList);
workflows.command('versions').description("a workflow's versions; * marks the released one").argument('<name>').option('--json', 'print JSON').action(workflowsVersions);
workflows.command('show').description('one version and its definition').argument('<name>').argument('<version>').option('--json', 'print JSON').action(workflowsShow);
workflows
  .command('release')
  .description('make a version the released one: roll back or forward')
  .argument('<name>')
  .argument('<version>')
  .option('--json', 'print JSON')
  .action(workflowsRelease);

const runs = program.command('runs').description('runs on the cluster at TEMPORAL_ADDRESS (a `baton dev` locally)');
runs
  .command('list')
  .description('recent runs, newest first')
  .option('--workflow <name>', 'only runs of this workflow')
  .option('--limit <n>', 'how many', '20')
  .option('--json', 'print JSON')
  .action(runsList);
runs
  .command('show')
  .description("a run's blocks, or one block's data and logs")
  .argument('<runId>')
  .option('--block <id>', "this block's data and logs")
  .option('--json', 'print JSON')
  .action(runsShow);
runs.command('cancel').description('cancel a running run').argument('<runId>').option('--json', 'print JSON').action(runsCancel);
runs
  .command('rerun')
  .description('a new run on the current definition; blocks upstream of --from reuse their results')
  .argument('<runId>')
  .option('--from <block>', 'rerun from this block')
  .option('--input <json>', 'new trigger data (default: the earlier run\'s)')
  .option('--wait', 'follow the new run and print its output')
  .option('--json', 'print JSON')
  .action(runsRerun);
for (const [name, approved] of [['approve', true], ['reject', false]] as const) {
  runs
    .command(name)
    .description(`${name} an approval block that is waiting (as "cli", whatever its approvers)`)
    .argument('<runId>')
    .argument('<blockId>')
    .option('--comment <text>', "the block's data comment")
    .option('--json', 'print JSON')
    .action(runsDecide(approved));
}

const schedules = program.command('schedules').description('Temporal Schedules made from the definitions\' triggers');
schedules.command('list').description('the schedules and their next runs').option('--json', 'print JSON').action(schedulesList);
schedules
  .command('sync')
  .description('create, update and delete schedules to match the workflows directory')
  .option('--json', 'print JSON')
  .action(schedulesSync);

program
  .command('keygen')
  .description('print a new key for the key ring (ENCRYPTION_KEY)')
  .option('--entry', 'print it as a BATON_ENCRYPTION_KEYS entry, kid:base64')
  .option('--from-env', 'print the BATON_ENCRYPTION_KEYS entry of the ENCRYPTION_KEY already set')
  .option('--token', 'print a bearer token instead (BATON_API_KEYS, BATON_CODEC_TOKENS)')
  .action(keygenCommand);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`baton: ${errorMessage(error)}`);
    process.exitCode = 1;
  }
}
// The command is over: a handle left open (a gRPC channel that never
// connected, a certificate watcher) must not keep it alive. A command that a
// signal stopped is ended by its shutdown handler instead.
if (!stopRequestedYet()) process.exit();
