/** Loaded with `--import` into every Node child of the stack (node-process.ts): it ends when its parent does. */
import { terminateWithParent } from './parent-watch.ts';

terminateWithParent();
