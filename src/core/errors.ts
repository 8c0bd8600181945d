/**
 * Every error Firebreak raises on purpose is a FirebreakError: a stable string `code`
 * (for logs, metrics and tests), a message a user can act on, and the `cause` it wraps.
 * Adapters translate vendor errors (a Slack `error` string, a Kubernetes Status, a
 * SQLSTATE, a MySQL errno) into one of these at the place they meet them.
 */
export type ErrorCode =
  | "config_invalid"
  | "input_invalid"
  | "not_found"
  | "forbidden"
  | "conflict"
  | "invalid_transition"
  | "dependency_unavailable"
  | "slack_api_error"
  | "rate_limited"
  | "action_failed"
  | "timeout"
  | "internal";

export class FirebreakError extends Error {
  override readonly name = "FirebreakError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.details = options?.details ?? {};
  }
  readonly details: Record<string, unknown>;
}

/** Wraps anything thrown into a FirebreakError, keeping FirebreakErrors as they are. */
export function asFirebreakError(err: unknown, code: ErrorCode = "internal"): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new FirebreakError(code, message, { cause: err });
}

export const inputInvalid = (message: string, details?: Record<string, unknown>) =>
  new FirebreakError("input_invalid", message, details ? { details } : undefined);
export const forbidden = (message: string) => new FirebreakError("forbidden", message);
export const notFound = (message: string) => new FirebreakError("not_found", message);
