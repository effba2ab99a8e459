/** Lambda entry point of the db-connector. */
import { dbConnector } from './executor.ts';

export const handler = dbConnector.handler;
