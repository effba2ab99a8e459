export { connectClient, connectOptions } from './connect.ts';
