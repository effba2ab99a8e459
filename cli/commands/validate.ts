import { DefinitionError, errorMessage } from '../../shared/errors/index.ts';
import { loadDefinitionFile } from '../../shared/definition/index.ts';

export async function validateCommand(files: string[]): Promise<void> {
  let failed = false;
  for (const file of files) {
    try {
      await loadDefinitionFile(file);
      console.log(`${file}: ok`);
    } catch (error) {
      failed = true;
      console.error(error instanceof DefinitionError ? error.message : `${file}: ${errorMessage(error)}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}
