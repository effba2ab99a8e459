/** `baton`: the command line (DESIGN §4). Each command lives in cli/commands/. */
import { Command, CommanderError } from 'commander';
import { errorMessage } from '../shared/errors.ts';
import { devCommand } from './commands/dev.ts';
import { keygenCommand } from './commands/keygen.ts';
import { runCommand } from './commands/run.ts';
import { validateCommand } from './commands/validate.ts';

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
  .action(validateCommand);

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
