/** npm postinstall: makes sure the Temporal CLI that `baton dev` and the tests use is there. */
import { ensureTemporalCli } from '../local/temporal-cli.ts';

if (process.env.BATON_SKIP_TEMPORAL_INSTALL === '1') {
  console.error('baton: BATON_SKIP_TEMPORAL_INSTALL=1, not looking for the Temporal CLI');
} else {
  try {
    const cli = await ensureTemporalCli();
    console.error(`baton: Temporal CLI ${cli.path} (${cli.version.split('\n')[0]}, ${cli.source})`);
  } catch (error) {
    console.error(`baton: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
