/** A Twilio REST error as its API answers it: JSON with a numeric code, message and docs link. */
export class TwilioApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      more_info: `https://www.twilio.com/docs/errors/${this.code}`,
      status: this.status,
      ...this.extra,
    };
  }
}

export const authenticateError = () =>
  new TwilioApiError(401, 20003, "Authenticate", { detail: "Your AccountSid or AuthToken was incorrect." });

export const notFoundError = (path: string) =>
  new TwilioApiError(404, 20404, `The requested resource ${path} was not found`);

export const invalidToError = (to: string) =>
  new TwilioApiError(400, 21211, `Invalid 'To' Phone Number: ${to}`);

export const serviceUnavailableError = () => new TwilioApiError(503, 20503, "Service Unavailable");

export const tooManyRequestsError = () => new TwilioApiError(429, 20429, "Too Many Requests");

export const internalError = () => new TwilioApiError(500, 20500, "Internal Server Error");

/** A fault a test scripts for the next requests to a resource. */
export type TwilioFault =
  | { kind: "unavailable" }
  | { kind: "internal" }
  | { kind: "too_many_requests" }
  /** The request reaches Twilio (recorded, message created) but the answer never comes back. */
  | { kind: "hang" };
