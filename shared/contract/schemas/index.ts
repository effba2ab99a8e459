/** The contract's zod schemas, for the processes that check messages (never for workflow code). */
export * from './envelope.ts';
