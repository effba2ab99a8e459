/**
 * Builds the run viewer into OUT_DIR (default ui-dist/), as the api Lambda
 * ships it: node --import tsx scripts/build-ui.ts [OUT_DIR]
 */
import { join, resolve } from 'node:path';
import { buildUi } from '../local/ui-build.ts';

const { dir, files } = await buildUi(process.argv[2] ?? join(resolve(import.meta.dirname, '..'), 'ui-dist'));
console.error(`build-ui: ${files.join(', ')} in ${dir}`);
