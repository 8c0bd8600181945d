import { FirebreakError } from "../../core/errors.js";

/** A Web API method's arguments as received: form fields are strings, JSON bodies anything. */
export type MethodArgs = Record<string, unknown>;

/**
 * The answer `{ ok: false, error }` a method gives; `extra` adds Slack's other fields
 * (`response_metadata.messages`, `needed`…).
 */
export function slackError(error: string, extra: Record<string, unknown> = {}): FirebreakError {
  return new FirebreakError("slack_api_error", `Slack API error: ${error}`, { details: { error, extra } });
}

/** The `{ ok: false, error }` body for an error thrown by a method, if it is one of ours. */
export function slackErrorBody(err: unknown): Record<string, unknown> | undefined {
  if (!(err instanceof FirebreakError) || err.code !== "slack_api_error") return undefined;
  const { error, extra } = err.details as { error: string; extra: Record<string, unknown> };
  return { ok: false, error, ...extra };
}

export function optionalString(args: MethodArgs, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw slackError("invalid_arguments");
}

/** A required string argument; `missing` is the error Slack gives without it. */
export function requiredString(args: MethodArgs, key: string, missing = "invalid_arguments"): string {
  const value = optionalString(args, key);
  if (value === undefined) throw slackError(missing);
  return value;
}

export function optionalBoolean(args: MethodArgs, key: string): boolean | undefined {
  const value = args[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "boolean") return value;
  return value === "true" || value === "1" || value === 1;
}

export function optionalInt(args: MethodArgs, key: string): number | undefined {
  const value = args[key];
  if (value === undefined || value === null || value === "") return undefined;
  const parsed =
    typeof value === "number" ? value : typeof value === "string" ? Number.parseInt(value, 10) : NaN;
  if (!Number.isFinite(parsed)) throw slackError("invalid_arguments");
  return Math.trunc(parsed);
}

/**
 * A structured argument: WebClient sends nested values JSON-encoded inside form fields,
 * a JSON body carries them as they are. `malformed` is Slack's error for bad JSON.
 */
export function optionalJson(args: MethodArgs, key: string, malformed = "invalid_arguments"): unknown {
  const value = args[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw slackError(malformed);
  }
}

/** A comma-separated list (`users=U1,U2`) or an array. */
export function stringList(args: MethodArgs, key: string): string[] {
  const value = args[key];
  if (Array.isArray(value)) return value.map(String).filter((s) => s !== "");
  const text = optionalString(args, key);
  return text === undefined
    ? []
    : text
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Arguments whose form values are JSON and are worth recording decoded. */
const JSON_FIELDS = ["blocks", "attachments", "view", "files", "metadata"];

/** The arguments as a test wants to read them: JSON fields decoded, the token gone. */
export function argsForRecord(args: MethodArgs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) {
    if (key === "token") continue;
    if (JSON_FIELDS.includes(key) && typeof value === "string") {
      try {
        out[key] = JSON.parse(value) as unknown;
        continue;
      } catch {
        // Kept as sent: the method answers the malformed JSON itself.
      }
    }
    out[key] = value;
  }
  return out;
}

/** Cursor pagination as Slack does it: an opaque `next_cursor`, "" on the last page. */
export function paginate<T>(
  items: readonly T[],
  args: MethodArgs,
  defaultLimit: number,
): { page: T[]; nextCursor: string } {
  const limit = Math.min(Math.max(optionalInt(args, "limit") ?? defaultLimit, 1), 1000);
  const cursor = optionalString(args, "cursor");
  let start = 0;
  if (cursor !== undefined) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(cursor, "base64").toString("utf8"));
    if (!decoded?.[1]) throw slackError("invalid_cursor");
    start = Number(decoded[1]);
  }
  const page = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(`offset:${start + limit}`).toString("base64") : "";
  return { page, nextCursor: next };
}
