import { z } from "zod";
import { FirebreakError } from "../core/errors.js";

/**
 * Bounds on an Alertmanager webhook body. Alertmanager itself never comes near them with
 * sane rules; they stop a misconfigured or hostile sender from making Firebreak store,
 * render or post megabytes. The HTTP route should also cap the raw body at
 * `maxBodyBytes` before parsing JSON.
 */
export const WEBHOOK_LIMITS = {
  /** Raw request body, for the HTTP route's JSON parser. */
  maxBodyBytes: 4 * 1024 * 1024,
  /** Alerts listed in one notification (use `max_alerts` in alertmanager.yml to stay below). */
  maxAlerts: 1000,
  /** Entries in one label or annotation set. */
  maxEntries: 256,
  /** Length of a label or annotation name. */
  maxNameLength: 1024,
  /** Length of a label or annotation value (8 KiB). */
  maxValueLength: 8 * 1024,
  /** Length of a URL (`generatorURL`, `externalURL`). */
  maxUrlLength: 8 * 1024,
  /** Length of `receiver`. */
  maxReceiverLength: 1024,
  /** Length of `groupKey`, which spells out the route and every group label. */
  maxGroupKeyLength: 64 * 1024,
} as const;

const L = WEBHOOK_LIMITS;

const labelName = z.string().min(1).max(L.maxNameLength);

// Zod drops a JSON key "__proto__" when it copies a record, so such a label would vanish
// silently instead of being refused.
/** A label or annotation set: names to strings, bounded, `__proto__` refused. */
export const labelSet = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value !== null && typeof value === "object" && Object.hasOwn(value, "__proto__")) {
      ctx.addIssue({ code: "custom", path: ["__proto__"], message: "invalid name (reserved name)" });
    }
  })
  .pipe(
    z
      .record(labelName, z.string().max(L.maxValueLength))
      .refine((set) => Object.keys(set).length <= L.maxEntries, `at most ${L.maxEntries} entries`),
  );

// Alertmanager writes Go's RFC 3339 with up to nine fractional digits and a zone.
const timestamp = z.iso.datetime({ offset: true });

const status = z.enum(["firing", "resolved"]);

/** One alert in a webhook v4 body, as Alertmanager sends it (times are RFC 3339 strings). */
export const webhookAlertSchema = z.looseObject({
  status,
  labels: labelSet,
  annotations: labelSet,
  startsAt: timestamp,
  /** `0001-01-01T00:00:00Z` (Go's zero time) while the alert fires. */
  endsAt: timestamp,
  generatorURL: z.string().max(L.maxUrlLength),
  /** Alertmanager's `%016x` of the label-set hash. */
  fingerprint: z.string().regex(/^[0-9a-f]{1,64}$/i, "expected a hexadecimal fingerprint"),
});

/**
 * Alertmanager's webhook body, version 4. Unknown fields (newer Alertmanagers add some)
 * are kept and ignored; every known field must have its documented type.
 */
export const webhookV4Schema = z.looseObject({
  version: z.literal("4"),
  receiver: z.string().max(L.maxReceiverLength),
  status,
  alerts: z.array(webhookAlertSchema).max(L.maxAlerts),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string().max(L.maxUrlLength),
  groupKey: z.string().min(1).max(L.maxGroupKeyLength),
  truncatedAlerts: z.int().min(0).default(0),
});

/** A validated Alertmanager webhook v4 body (wire format: times are still strings). */
export type WebhookV4 = z.output<typeof webhookV4Schema>;
/** One alert of a `WebhookV4`. */
export type WebhookAlert = z.output<typeof webhookAlertSchema>;

/**
 * Validates an Alertmanager webhook body (already JSON-parsed). Throws `input_invalid`
 * whose message names the path of the first problem, e.g.
 * `Alertmanager webhook rejected: alerts[0].labels: expected object, got string`.
 */
export function parseAlertmanagerWebhook(json: unknown): WebhookV4 {
  const parsed = webhookV4Schema.safeParse(json, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = formatPath(issue.path);
  throw new FirebreakError(
    "input_invalid",
    `Alertmanager webhook rejected: ${where}: ${describeIssue(issue)}`,
    {
      cause: parsed.error,
      details: { path: where },
    },
  );
}

/** `alerts[0].labels` for `["alerts", 0, "labels"]`; `(body)` for the root. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(body)";
  return path
    .map((p) => (typeof p === "number" ? `[${p}]` : `.${clip(String(p))}`))
    .join("")
    .replace(/^\./, "");
}

/**
 * A zod issue in a few words. Zod's own messages say "Invalid input: expected object,
 * received string"; ours are shorter and never quote the offending value (it may be huge
 * or carry secrets).
 */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.path.length > 0 && issue.input === undefined
        ? `required, expected ${issue.expected === "record" ? "object" : issue.expected}`
        : `expected ${issue.expected === "record" ? "object" : issue.expected}, got ${typeName(issue.input)}`;
    case "invalid_value":
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "too_big":
      return issue.origin === "array"
        ? `too many items (at most ${String(issue.maximum)})`
        : issue.origin === "string"
          ? `too long (at most ${String(issue.maximum)} characters)`
          : `too big (at most ${String(issue.maximum)})`;
    case "too_small":
      return issue.origin === "string"
        ? "must not be empty"
        : `too small (at least ${String(issue.minimum)})`;
    case "invalid_key":
      return `invalid name (${issue.issues[0]?.message ?? "rejected"})`;
    case "invalid_format":
      return issue.format === "datetime" ? "expected an RFC 3339 timestamp" : issue.message;
    default:
      return issue.message;
  }
}

function clip(segment: string): string {
  return segment.length > 64 ? `${segment.slice(0, 63)}…` : segment;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && !Number.isInteger(value)) return "number";
  return typeof value;
}
