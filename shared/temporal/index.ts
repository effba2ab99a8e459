export { connectClient, connectWorker } from './connect.ts';
