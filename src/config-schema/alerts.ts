import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { parseLabelMatcher } from "../core/alerts/label-matcher.js";
import type { AlertRoute } from "../core/alerts/routing.js";
import { DEFAULT_SEVERITY_MAPPING } from "../core/alerts/severity-from-labels.js";
import type { SeverityMapping } from "../core/alerts/severity-from-labels.js";
import { SEVERITIES } from "../core/incident/severity.js";
import { channelRef, durationString, slackUserId, slackUsergroupId } from "./incidents.js";

const severity = z.enum(SEVERITIES);

const labelName = z.string().min(1).max(1024);

const matchSpec = z
  .string()
  .max(1024)
  .superRefine((spec, ctx) => {
    try {
      parseLabelMatcher("label", spec);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message.replace(/^label: /, "") });
    }
  });

const commandName = z.string().regex(/^\S{1,100}$/, "expected a catalog command name");

/** A parameter value as written: `target: cache`, `value: 2gb`, `min_time: 30` (checked against the catalog). */
const paramValues = z
  .record(
    z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, "a parameter name is lowercase letters, digits and _"),
    z.union([z.string().max(1000), z.number(), z.boolean()]).transform((v) => String(v)),
  )
  .default({});

/** A diagnostic: its name (run with its defaults), or `{ command, params }`. */
const diagnostic = z.union([
  commandName.transform((command) => ({ command, params: {} })),
  z.strictObject({ command: commandName, params: paramValues }),
]);

const selfHeal = z.strictObject({
  /** A catalog remediation whose policy has `auto_approve_for_alerts`. */
  command: commandName,
  params: paramValues,
  /** Page if the alert still fires this long after the fix; unset: page at once, fix alongside. */
  page_after: durationString
    .refine((ms) => ms >= 1_000 && ms <= 86_400_000, "use a duration from 1s to 24h, e.g. 5m")
    .optional(),
});

const route = z.strictObject({
  /** label → `value`, `!=value`, `=~regex` or `!~regex`; all must hold. Empty: every group. */
  match: z.record(labelName, matchSpec).default({}),
  invite: z.array(slackUserId).max(500).default([]),
  usergroups: z.array(slackUsergroupId).max(50).default([]),
  escalation_policy: z.string().min(1).max(100).optional(),
  announce_channel: channelRef.optional(),
  severity: severity.optional(),
  auto_diagnostics: z.array(diagnostic).max(20).default([]),
  self_heal: selfHeal.optional(),
});

const silenceDuration = z.string().transform((text, ctx) => {
  try {
    return { label: text.trim(), ms: parseDuration(text) };
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const alertsSection = z.strictObject({
  severity_label: labelName.default(DEFAULT_SEVERITY_MAPPING.label),
  severity_map: z.record(z.string().min(1).max(1024), severity).default({ ...DEFAULT_SEVERITY_MAPPING.map }),
  default_severity: severity.default(DEFAULT_SEVERITY_MAPPING.fallback),
  routes: z.array(route).max(200).default([]),
  on_all_resolved: z.enum(["auto_resolve", "notify"]).default("notify"),
  reopen_window: durationString.default(parseDuration("1h")),
  storm: z
    .strictObject({ threshold_per_minute: z.int().min(1).max(10_000).default(10) })
    .default({ threshold_per_minute: 10 }),
  silence_durations: z
    .array(silenceDuration)
    .min(1)
    .max(5)
    .default(["1h", "4h", "24h"].map((label) => ({ label, ms: parseDuration(label) }))),
});

/**
 * The `alerts` section of firebreak.yaml, to spread into the file's schema:
 * `z.strictObject({ ...incidentsSectionShape, ...alertsSectionShape })`. Every key is
 * optional; `buildAlertsConfig` turns the parsed section into `AlertsConfig`.
 *
 * ```yaml
 * alerts:
 *   severity_label: severity          # the label read for the severity
 *   severity_map: { critical: P1, warning: P3, info: P3 }
 *   default_severity: P3              # missing or unknown label value
 *   routes:                           # first match wins
 *     - match: { namespace: ecommerce, alertname: "=~MySQL.*", env: "!=staging" }
 *       invite: [U0123ABCD]
 *       usergroups: [S0123ABCD]
 *       escalation_policy: dba
 *       announce_channel: C0123ABCD
 *       severity: P1                  # overrides the mapped severity
 *       auto_diagnostics: [mysql-connections, { command: mysql-processlist, params: { min_time: 30 } }]
 *       self_heal:                    # a remediation with auto_approve_for_alerts in the catalog
 *         command: mysql-kill-long-queries
 *         params: { min_time: 30, max_count: 10 }
 *         page_after: 5m              # page if still firing 5m after the fix; at once if it fails or is refused
 *   on_all_resolved: notify           # or auto_resolve
 *   reopen_window: 1h                 # a group firing again within this reopens its incident
 *   storm: { threshold_per_minute: 10 }
 *   silence_durations: [1h, 4h, 24h]  # the silence buttons, at most five
 * ```
 */
export const alertsSectionShape = {
  alerts: alertsSection.default(alertsSection.parse({})),
};

/** The parsed `alerts` section, as the schema outputs it. */
export type AlertsSection = z.output<typeof alertsSection>;

/** What to do with Alertmanager's alerts, validated and with defaults filled in. */
export interface AlertsConfig {
  severity: SeverityMapping;
  /** In order: the first whose matchers hold is used. */
  routes: AlertRoute[];
  /** When every alert of a group has resolved: resolve the incident, or tell the channel. */
  onAllResolved: "auto_resolve" | "notify";
  /** A group that fires again within this long after its incident resolved reopens it. */
  reopenWindowMs: number;
  storm: { thresholdPerMinute: number };
  /** The silence buttons: label as written (`4h`) and length. */
  silenceDurations: { label: string; ms: number }[];
}

/** Turns the parsed section into `AlertsConfig` (matchers compiled, names in camelCase). */
export function buildAlertsConfig(section: AlertsSection): AlertsConfig {
  const map = Object.fromEntries(Object.entries(section.severity_map).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    severity: { label: section.severity_label, map, fallback: section.default_severity },
    routes: section.routes.map((r) => ({
      matchers: Object.entries(r.match).map(([name, spec]) => parseLabelMatcher(name, spec)),
      invite: r.invite,
      usergroups: r.usergroups,
      ...(r.escalation_policy === undefined ? {} : { escalationPolicy: r.escalation_policy }),
      ...(r.announce_channel === undefined ? {} : { announceChannel: r.announce_channel }),
      ...(r.severity === undefined ? {} : { severityOverride: r.severity }),
      autoDiagnostics: r.auto_diagnostics,
      ...(r.self_heal === undefined
        ? {}
        : {
            selfHeal: {
              command: r.self_heal.command,
              params: r.self_heal.params,
              ...(r.self_heal.page_after === undefined ? {} : { pageAfterMs: r.self_heal.page_after }),
            },
          }),
    })),
    onAllResolved: section.on_all_resolved,
    reopenWindowMs: section.reopen_window,
    storm: { thresholdPerMinute: section.storm.threshold_per_minute },
    silenceDurations: section.silence_durations,
  };
}
