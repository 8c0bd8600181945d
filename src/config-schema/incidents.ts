import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { DEFAULT_PERMISSIONS, PERMISSIONS, ROLES } from "../core/incident/roles.js";
import type { Grantee, Permission, PermissionPolicy, SeverityPolicy } from "../core/incident/roles.js";
import { SEVERITIES } from "../core/incident/severity.js";
import type { Severity } from "../core/incident/severity.js";

export const slackUserId = z
  .string()
  .regex(
    /^[UW][A-Z0-9]{2,}$/,
    "expected a Slack user id like U0123ABCD (find it in the user's profile → ⋯ → Copy member ID)",
  );
export const slackUsergroupId = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, "expected a Slack user group id like S0123ABCD");
export const channelRef = z
  .string()
  .regex(
    /^(#[a-z0-9_-]{1,80}|[CG][A-Z0-9]{2,})$/,
    "expected a channel id like C0123ABCD or a name like #incidents",
  );

export const durationString = z.string().transform((s, ctx) => {
  try {
    return parseDuration(s);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const roleMembers = z.strictObject({
  users: z.array(slackUserId).default([]),
  usergroups: z.array(slackUsergroupId).default([]),
});

const grantee = z.enum([...ROLES, "anyone", "incident_commander"]);

const DEFAULT_SEVERITIES: Record<
  Severity,
  { label: string; response_target: string; update_interval: string }
> = {
  P0: { label: "Critical", response_target: "15m", update_interval: "30m" },
  P1: { label: "High", response_target: "1h", update_interval: "1h" },
  P2: { label: "Moderate", response_target: "4h", update_interval: "4h" },
  P3: { label: "Low", response_target: "1d", update_interval: "1d" },
};

const DEFAULT_CHECKLIST = [
  "Confirm the customer impact",
  "Name an incident commander",
  "Open the incident channel and invite responders",
  "Start mitigation (roll back, shed load, switch traffic)",
  "Verify the fix with metrics",
  "Write the postmortem",
];

const severityEntry = z.strictObject({
  label: z.string().min(1).max(40).optional(),
  response_target: durationString.optional(),
  update_interval: durationString.optional(),
  checklist: z.array(z.string().min(1).max(200)).max(20).optional(),
});

/** The incident sections of firebreak.yaml: roles, permissions, severities, Slack channels. */
export const incidentsSectionShape = {
  timezone: z
    .string()
    .refine(isTimeZone, "expected an IANA time zone like Europe/Berlin or UTC")
    .default("UTC"),
  slack: z
    .strictObject({
      announcements_channel: channelRef.optional(),
      channel_prefix: z
        .string()
        .regex(/^[a-z0-9-]{1,20}$/, "use 1–20 lowercase letters, digits or hyphens")
        .default("inc"),
    })
    .default({ channel_prefix: "inc" }),
  roles: z
    .strictObject({
      responder: roleMembers.optional(),
      commander: roleMembers.optional(),
      admin: roleMembers.optional(),
    })
    .default({}),
  permissions: z.partialRecord(z.enum(PERMISSIONS), z.array(grantee).min(1)).default({}),
  severities: z.partialRecord(z.enum(SEVERITIES), severityEntry).default({}),
};

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function buildSeverityPolicies(
  input: Partial<Record<Severity, z.infer<typeof severityEntry>>>,
): Record<Severity, SeverityPolicy> {
  const out = {} as Record<Severity, SeverityPolicy>;
  for (const sev of SEVERITIES) {
    const d = DEFAULT_SEVERITIES[sev];
    const c = input[sev] ?? {};
    out[sev] = {
      severity: sev,
      label: c.label ?? d.label,
      responseTargetMs: c.response_target ?? parseDuration(d.response_target),
      updateIntervalMs: c.update_interval ?? parseDuration(d.update_interval),
      checklist: c.checklist ?? DEFAULT_CHECKLIST,
    };
  }
  return out;
}

export function buildPermissionPolicy(input: Partial<Record<Permission, Grantee[]>>): PermissionPolicy {
  return { ...DEFAULT_PERMISSIONS, ...input };
}
