import { BatonError } from './baton-error.ts';

/** An HTTP answer other than success, mapped to JSON `{ error: { code, message } }` by the API and the codec server. */
export class HttpError extends BatonError {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
