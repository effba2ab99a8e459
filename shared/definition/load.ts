import { readFile } from 'node:fs/promises';
import { DefinitionError } from '../errors/index.ts';
import { parseDefinition } from './parse.ts';
import type { Definition } from './schema.ts';

export async function loadDefinitionFile(path: string): Promise<Definition> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DefinitionError(path, [{ path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read: ${code}` }]);
  }
  return parseDefinition(text, path);
}
