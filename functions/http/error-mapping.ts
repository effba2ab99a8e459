/**
 * Baton's error classes as HTTP answers, in one place for every front door.
 * Recognised by `name`, not `instanceof`: an error may come from another
 * realm or another copy of the module, and the name is its contract.
 */
import { APPROVAL_ERROR_STATUS, type ApprovalErrorReason, type HttpError } from '../../shared/errors/index.ts';

export interface ErrorAnswer {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface Named {
  readonly name: string;
  readonly message: string;
}

const RUN_OPERATION_STATUS = { not_found: 404, conflict: 409, invalid: 400 } as const;

function isNamed(error: unknown): error is Named & Record<string, unknown> {
  return error instanceof Error || (typeof error === 'object' && error !== null && typeof (error as Named).name === 'string');
}

/** The answer for a known error, or undefined for one that is a 500. */
export function answerFor(error: unknown): ErrorAnswer | undefined {
  if (!isNamed(error)) return undefined;
  switch (error.name) {
    case 'HttpError': {
      const http = error as unknown as HttpError;
      return { status: http.status, code: http.code, message: http.message, headers: http.headers };
    }
    case 'RunOperationError': {
      const reason = error.reason as keyof typeof RUN_OPERATION_STATUS;
      return { status: RUN_OPERATION_STATUS[reason], code: reason === 'invalid' ? 'invalid_request' : reason, message: error.message, headers: {} };
    }
    case 'VersionError':
      return { status: error.reason === 'not_found' ? 404 : 400, code: error.reason === 'not_found' ? 'not_found' : 'invalid_request', message: error.message, headers: {} };
    case 'ApprovalError': {
      const reason = error.reason as ApprovalErrorReason;
      return { status: APPROVAL_ERROR_STATUS[reason] ?? 409, code: reason, message: error.message, headers: {} };
    }
    case 'ScheduleOperationError':
      return { status: 404, code: 'not_found', message: error.message, headers: {} };
    case 'DefinitionError':
      return { status: 409, code: 'workflow_invalid', message: error.message, headers: {} };
    case 'ConcurrencyLimitError': {
      // Whole seconds (RFC 9110), rounded up so a client that waits as told finds the slot free.
      const seconds = Math.max(1, Math.ceil(Number(error.retryAfterMs) / 1000));
      return { status: 429, code: 'concurrency_limit', message: error.message, headers: { 'retry-after': String(seconds) } };
    }
    case 'CodecError':
      return { status: 422, code: 'undecodable', message: error.message, headers: {} };
    default:
      return undefined;
  }
}
