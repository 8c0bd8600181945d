import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { SEVERITIES, isSeverity, type Severity } from "../core/incident/severity.js";
import type {
  EscalationPolicy,
  Layer,
  NotifyTarget,
  Override,
  Restriction,
  Schedule,
} from "../core/oncall/types.js";
import { runbookAckTimeout } from "../core/oncall/runbook-policy.js";
import { parseAbsoluteWhen } from "../core/oncall/when.js";
import { canonicalTimeZone, isRealDate, type LocalTime } from "../core/oncall/zoned-time.js";
import { slackUserId, slackUsergroupId } from "./incidents.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Words `/oncall` reads as subcommands, so they cannot name a schedule. */
const RESERVED_SCHEDULE_NAMES = ["at", "help", "me", "override", "overrides", "simulate"];

const NAME_RULE =
  'lowercase letters, digits, "-" and "_", starting with a letter or digit (they are typed in /oncall)';

/** Why `key` cannot name a schedule or policy, or undefined when it can. */
function nameProblem(kind: "schedule" | "escalation policy", key: string, reserved: (n: string) => boolean) {
  const article = kind === "schedule" ? "a" : "an";
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(key)) {
    return `"${key}" cannot name ${article} ${kind}: names use ${NAME_RULE}, like "primary" or "db-secondary"`;
  }
  if (reserved(key))
    return `"${key}" cannot name ${article} ${kind}: /oncall reads it as a keyword; pick another name`;
  return undefined;
}

/** A map keyed by names; zod's own key errors say only "Invalid key in record". */
function byName<T extends z.ZodType>(
  kind: "schedule" | "escalation policy",
  body: T,
  reserved: (n: string) => boolean,
) {
  return z.record(z.string(), body).superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      const message = nameProblem(kind, key, reserved);
      if (message !== undefined) ctx.addIssue({ code: "custom", message, path: [key] });
    }
  });
}

function fieldText(field: string, fix: string) {
  return z.string({ error: `${field} must be a quoted string: ${fix}` });
}

function localTime(field: string, { allowEndOfDay = false } = {}) {
  const example = allowEndOfDay ? '"09:00" (or "24:00" for the end of the day)' : '"09:00"';
  return fieldText(field, `a 24-hour local time like ${example}`).transform((text, ctx): LocalTime => {
    const match = /^(\d{2}):(\d{2})$/.exec(text.trim());
    const hour = Number(match?.[1]);
    const minute = Number(match?.[2]);
    const ok = match && minute <= 59 && (hour <= 23 || (allowEndOfDay && hour === 24 && minute === 0));
    if (!ok) {
      ctx.addIssue({
        code: "custom",
        message: `${field} "${text}" is not a time: write a 24-hour local time like ${example}`,
      });
      return z.NEVER;
    }
    return { hour, minute };
  });
}

const WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const DAY_SETS: Record<string, number[]> = {
  weekdays: [1, 2, 3, 4, 5],
  weekends: [6, 7],
  daily: [1, 2, 3, 4, 5, 6, 7],
};

const weekday = z.string().transform((text, ctx) => {
  const word = text.trim().toLowerCase();
  const index = WEEKDAY_NAMES.findIndex((n) => word === n || word === n.slice(0, 3));
  if (index === -1) {
    ctx.addIssue({
      code: "custom",
      message: `days: "${text}" is not a weekday: use mon, tue, wed, thu, fri, sat or sun`,
    });
    return z.NEVER;
  }
  return index + 1;
});

const restriction = z
  .strictObject({
    days: z
      .union(
        [
          z.array(weekday).min(1, "days must list at least one weekday, like [mon, tue]"),
          z.enum(Object.keys(DAY_SETS) as ["weekdays", "weekends", "daily"]),
        ],
        {
          error: "days must be a list like [mon, tue, wed] or one of weekdays, weekends, daily",
        },
      )
      .default("daily"),
    from: localTime("restrict.from"),
    to: localTime("restrict.to", { allowEndOfDay: true }),
  })
  .transform((raw, ctx): Restriction => {
    if (raw.from.hour === raw.to.hour && raw.from.minute === raw.to.minute) {
      ctx.addIssue({
        code: "custom",
        message: 'restrict: from and to are equal: for the whole day use from "00:00" to "24:00"',
        path: ["to"],
      });
    }
    const days = typeof raw.days === "string" ? (DAY_SETS[raw.days] ?? []) : [...new Set(raw.days)].sort();
    return { days, from: raw.from, to: raw.to.hour === 24 ? { hour: 24, minute: 0 } : raw.to };
  });

type Bounds = [minMs: number, maxMs: number, range: string];

/** Reads a duration field, reporting a bad one on `ctx` (at `path`) with its fix. */
function readDuration(
  text: string,
  field: string,
  [minMs, maxMs, range]: Bounds,
  ctx: z.RefinementCtx,
  path: string[] = [],
) {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `${field}: ${(err as Error).message}`, path });
    return z.NEVER;
  }
  if (ms < minMs || ms > maxMs || ms % 60_000 !== 0) {
    ctx.addIssue({ code: "custom", message: `${field} "${text}" must be whole minutes from ${range}`, path });
    return z.NEVER;
  }
  return ms;
}

const shift = z
  .union(
    [
      z.literal("daily"),
      z.literal("weekly"),
      z.strictObject({ every: fieldText("shift.every", 'a duration like "12h" or "3d"') }),
    ],
    { error: 'shift must be daily, weekly or { every: "12h" } (any duration from 1h to 90d)' },
  )
  .transform((raw, ctx): number => {
    if (raw === "daily") return DAY;
    if (raw === "weekly") return 7 * DAY;
    return readDuration(raw.every, "shift.every", [HOUR, 90 * DAY, "1h to 90d"], ctx, ["every"]);
  });

const startDate = fieldText("start", 'the date of the first handoff, like "2026-01-05"').transform(
  (text, ctx) => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
    const date = match
      ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) }
      : undefined;
    if (!date || !isRealDate(date) || date.year < 2000 || date.year > 2200) {
      ctx.addIssue({
        code: "custom",
        message: `start "${text}" is not a date: write the first handoff's date as YYYY-MM-DD, like "2026-01-05"`,
      });
      return z.NEVER;
    }
    return date;
  },
);

const layer = z
  .strictObject({
    name: z.string().min(1, "layer name must not be empty").max(80),
    users: z.array(slackUserId).min(1, "users must list at least one Slack user id, in rotation order"),
    shift,
    handoff: localTime("handoff"),
    start: startDate,
    restrict: z.array(restriction).default([]),
  })
  .transform(({ shift: shiftMs, ...rest }): Layer => ({ ...rest, shiftMs }));

const rawOverride = z.strictObject({
  user: slackUserId,
  from: fieldText("override from", 'a local time like "2026-12-24 18:00"'),
  to: fieldText("override to", 'a local time like "2026-12-27 09:00"'),
});

/** The instant a config override's `from`/`to` means, or the problem with it. */
function overrideInstant(text: string, zone: string): Date | string {
  try {
    return parseAbsoluteWhen(text, zone);
  } catch (err) {
    return (err as Error).message;
  }
}

const scheduleBody = z
  .strictObject({
    time_zone: fieldText("time_zone", "an IANA zone like Europe/Berlin").transform((text, ctx) => {
      const zone = canonicalTimeZone(text.trim());
      if (zone === undefined) {
        ctx.addIssue({
          code: "custom",
          message: `time_zone "${text}" is not an IANA time zone: use a name like Europe/Berlin, America/New_York or UTC`,
        });
        return z.NEVER;
      }
      return zone;
    }),
    layers: z
      .array(layer)
      .min(1, "layers must list at least one rotation layer (later layers win where they have someone)"),
    overrides: z.array(rawOverride).default([]),
  })
  .transform((raw, ctx) => {
    const seen = new Set<string>();
    raw.layers.forEach((l, i) => {
      if (seen.has(l.name)) {
        ctx.addIssue({
          code: "custom",
          message: `layer name "${l.name}" is used twice in this schedule: give each layer its own name`,
          path: ["layers", i, "name"],
        });
      }
      seen.add(l.name);
    });
    const overrides: Override[] = [];
    raw.overrides.forEach((o, i) => {
      const from = overrideInstant(o.from, raw.time_zone);
      const to = overrideInstant(o.to, raw.time_zone);
      if (typeof from === "string")
        ctx.addIssue({ code: "custom", message: `override from ${from}`, path: ["overrides", i, "from"] });
      if (typeof to === "string")
        ctx.addIssue({ code: "custom", message: `override to ${to}`, path: ["overrides", i, "to"] });
      if (typeof from === "string" || typeof to === "string") return;
      if (to <= from) {
        ctx.addIssue({
          code: "custom",
          message: `override to must come after from ("${o.from}")`,
          path: ["overrides", i, "to"],
        });
        return;
      }
      overrides.push({ user: o.user, from, to });
    });
    return { timeZone: raw.time_zone, layers: raw.layers, overrides };
  });

const notifyTarget = z
  .strictObject(
    { user: slackUserId.optional(), schedule: z.string().optional(), usergroup: slackUsergroupId.optional() },
    {
      error:
        "notify entries look like { user: U0123ABCD }, { schedule: primary } or { usergroup: S0123ABCD }",
    },
  )
  .transform((raw, ctx): NotifyTarget => {
    const given = [raw.user, raw.schedule, raw.usergroup].filter((v) => v !== undefined).length;
    if (given !== 1) {
      ctx.addIssue({
        code: "custom",
        message:
          "each notify entry names exactly one of user, schedule or usergroup: split it into separate entries",
      });
      return z.NEVER;
    }
    if (raw.user !== undefined) return { kind: "user", userId: raw.user };
    if (raw.schedule !== undefined) return { kind: "schedule", schedule: raw.schedule };
    return { kind: "usergroup", usergroupId: raw.usergroup ?? "" };
  });

const ackTimeout = fieldText("ack_timeout", 'a duration like "15m"').transform((text, ctx) =>
  readDuration(text, "ack_timeout", [60_000, DAY, "1m to 24h"], ctx),
);

const policyBody = z
  .strictObject({
    repeat: z
      .number({ error: "repeat must be a whole number from 0 to 9 (how many times to run the path again)" })
      .int("repeat must be a whole number from 0 to 9")
      .min(0, "repeat must be from 0 to 9")
      .max(9, "repeat must be from 0 to 9: more rounds than that rarely reach anyone new")
      .default(0),
    steps: z
      .array(
        z.strictObject({
          notify: z.array(notifyTarget).min(1, "notify must list at least one user, schedule or usergroup"),
          ack_timeout: ackTimeout.optional(),
        }),
      )
      .min(1, "steps must list at least one step")
      .max(20, "steps: at most 20 steps"),
  })
  .transform((raw) => ({
    repeat: raw.repeat,
    steps: raw.steps.map((s, i) => ({
      notify: s.notify,
      ackTimeoutMs: s.ack_timeout ?? runbookAckTimeout(i),
    })),
  }));

/** `schedules:` in firebreak.yaml, by name. */
export const schedulesSchema = byName("schedule", scheduleBody, (n) =>
  RESERVED_SCHEDULE_NAMES.includes(n),
).transform((byName): Record<string, Schedule> =>
  Object.fromEntries(Object.entries(byName).map(([n, s]) => [n, { name: n, ...s }])),
);

/** `escalation_policies:` in firebreak.yaml, by name. */
export const escalationPoliciesSchema = byName("escalation policy", policyBody, (n) =>
  /^(p|sev-?)[0-3]$/.test(n),
).transform((byName): Record<string, EscalationPolicy> =>
  Object.fromEntries(Object.entries(byName).map(([n, p]) => [n, { name: n, ...p }])),
);

/** `severity_policies:` in firebreak.yaml: which escalation policy pages for each severity. */
export const severityPoliciesSchema = z
  .record(z.string(), z.string({ error: "severity_policies values name an escalation policy, like default" }))
  .superRefine((map, ctx) => {
    for (const key of Object.keys(map)) {
      if (!isSeverity(key)) {
        ctx.addIssue({
          code: "custom",
          message: `severity_policies: "${key}" is not a severity: use ${SEVERITIES.join(", ")}`,
          path: [key],
        });
      }
    }
  })
  .transform((map) => map as Partial<Record<Severity, string>>);

/**
 * The paging sections of firebreak.yaml, to spread into the file's schema. Spreading loses
 * cross-references: also run {@link validatePagingConfig} (or use {@link pagingConfigSchema}).
 */
export const pagingSectionShape = {
  schedules: schedulesSchema.default({}),
  escalation_policies: escalationPoliciesSchema.default({}),
  severity_policies: severityPoliciesSchema.default({}),
};

/** The paging sections as parsed: domain schedules and policies, keyed by name. */
export interface PagingConfig {
  schedules: Record<string, Schedule>;
  escalation_policies: Record<string, EscalationPolicy>;
  severity_policies: Partial<Record<Severity, string>>;
}

/** The paging sections as written in YAML. */
export type PagingConfigInput = z.input<z.ZodObject<typeof pagingSectionShape>>;

interface PagingIssue {
  path: (string | number)[];
  message: string;
}

function crossReferenceIssues(cfg: PagingConfig): PagingIssue[] {
  const issues: PagingIssue[] = [];
  const schedules = Object.keys(cfg.schedules);
  const policies = Object.keys(cfg.escalation_policies);
  const known = (names: string[]) =>
    names.length === 0 ? "none are defined yet" : `defined: ${names.join(", ")}`;
  for (const [policy, { steps }] of Object.entries(cfg.escalation_policies)) {
    steps.forEach((step, s) =>
      step.notify.forEach((target, t) => {
        if (target.kind === "schedule" && !schedules.includes(target.schedule)) {
          issues.push({
            path: ["escalation_policies", policy, "steps", s, "notify", t, "schedule"],
            message: `no schedule named "${target.schedule}": add it under schedules or fix the name (${known(schedules)})`,
          });
        }
      }),
    );
  }
  for (const [severity, policy] of Object.entries(cfg.severity_policies)) {
    if (policy !== undefined && !policies.includes(policy)) {
      issues.push({
        path: ["severity_policies", severity],
        message: `no escalation policy named "${policy}": add it under escalation_policies or fix the name (${known(policies)})`,
      });
    }
  }
  return issues;
}

function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/**
 * Checks what the schema alone cannot: that escalation steps name defined schedules and
 * severity_policies name defined policies. Each error reads `path: problem and fix`.
 */
export function validatePagingConfig(cfg: PagingConfig): string[] {
  return crossReferenceIssues(cfg).map((i) => `${formatPath(i.path)}: ${i.message}`);
}

/** The paging sections with their cross-references checked. */
export const pagingConfigSchema = z.object(pagingSectionShape).superRefine((cfg, ctx) => {
  for (const issue of crossReferenceIssues(cfg)) ctx.addIssue({ code: "custom", ...issue });
});

// Keeps the hand-written PagingConfig in step with what the schema produces.
type SchemaMatches = z.output<typeof pagingConfigSchema> extends PagingConfig ? true : never;
const _pagingConfigMatchesSchema: SchemaMatches = true;
