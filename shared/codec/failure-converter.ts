/**
 * Failure messages and stack traces can carry user data (an error thrown with
 * a row in its message), so they travel as encoded attributes, sealed by the
 * codec, never as plain history fields. Loaded by path into the workflow bundle.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
