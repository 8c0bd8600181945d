import { z } from "zod";
import { FirebreakError } from "../core/errors.js";
import { parseFieldPath } from "../core/alerts/field-path.js";
import type { FieldPath } from "../core/alerts/field-path.js";
import type { HeartbeatSpec } from "../core/alerts/heartbeat.js";
import type { AlertRouteDecision } from "../core/alerts/routing.js";
import type { Service } from "../core/alerts/services.js";
import { parseMatchers, selectsSomething } from "../core/alerts/matcher-syntax.js";
import type { LabelMatcher } from "../core/alerts/label-matcher.js";
import { SEVERITIES } from "../core/incident/severity.js";
import type { GenericFieldMap, GenericMapping } from "../core/alerts/generic-mapping.js";
import { channelRef, durationString, slackUserId, slackUsergroupId } from "./incidents.js";

const severity = z.enum(SEVERITIES, { error: "expected a severity: P0, P1, P2 or P3" });

const NAME_RULE = 'lowercase letters, digits, "-" and "_", starting with a letter or digit';
const name = (what: string) =>
  z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,63}$/,
      `a ${what} name uses ${NAME_RULE} (it is part of a URL or a command)`,
    );

const tokenEnv = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{0,127}$/,
    "name the environment variable that holds the token, like CRON_WEBHOOK_TOKEN",
  );

const staticLabels = z
  .record(
    z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a label name like service or team"),
    z.string().max(1024),
  )
  .default({});

const fieldPath = z.string().transform((text, ctx): FieldPath => {
  try {
    return parseFieldPath(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const GENERIC_ONLY = ["fields", "severity_map", "default_severity", "resolved_values"] as const;

const integration = z
  .strictObject({
    name: name("integration"),
    type: z.enum(["generic", "grafana", "alertmanager"], {
      error: "expected type generic, grafana or alertmanager",
    }),
    token_env: tokenEnv,
    /** generic: where each field is in the body (dotted paths); dedup_key is required. */
    fields: z
      .strictObject({
        dedup_key: fieldPath,
        title: fieldPath.optional(),
        severity: fieldPath.optional(),
        status: fieldPath.optional(),
        description: fieldPath.optional(),
        links: fieldPath.optional(),
        labels: fieldPath.optional(),
      })
      .optional(),
    severity_map: z.record(z.string().min(1).max(1024), severity).optional(),
    default_severity: severity.optional(),
    resolved_values: z.array(z.string().min(1).max(1024)).min(1).max(50).optional(),
    /** Labels every event of this integration carries (services, routes, maintenance windows). */
    labels: staticLabels,
  })
  .superRefine((i, ctx) => {
    if (i.type === "generic" && !i.fields)
      ctx.addIssue({
        code: "custom",
        path: ["fields"],
        message: "a generic integration needs fields, at least { dedup_key: <dotted path in the body> }",
      });
    if (i.type !== "generic")
      for (const key of GENERIC_ONLY)
        if (i[key] !== undefined)
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `only a generic integration maps fields; a ${i.type} body has its own (remove ${key})`,
          });
  });

const inlineRoute = z.strictObject({
  invite: z.array(slackUserId).max(500).default([]),
  usergroups: z.array(slackUsergroupId).max(50).default([]),
  escalation_policy: z.string().min(1).max(100).optional(),
  announce_channel: channelRef.optional(),
});

const optionalDuration = z
  .union([z.literal(0), z.literal("0"), z.literal("0s"), durationString])
  .transform((v) => (typeof v === "number" ? v : 0));

const heartbeat = z.strictObject({
  name: name("heartbeat"),
  token_env: tokenEnv,
  interval: durationString.refine((ms) => ms >= 1_000, "interval: at least 1s"),
  grace: optionalDuration.default(0),
  severity: severity.default("P2"),
  /** Who a missed beat's incident invites, which policy pages and where it is announced; else services and alerts.routes decide. */
  route: inlineRoute.optional(),
  labels: staticLabels,
});

// One string of Alertmanager matchers, or a list of them: every matcher must hold.
const matcherText = z
  .union([z.string(), z.array(z.string()).max(20)], {
    error: 'expected Alertmanager matchers like "service=checkout", or a list of them',
  })
  .transform((spec, ctx): LabelMatcher[] => {
    const text = Array.isArray(spec) ? spec.join(", ") : spec;
    try {
      const matchers = parseMatchers(text);
      if (selectsSomething(matchers)) return matchers;
      ctx.addIssue({
        code: "custom",
        message: `"${text}" would match every alert: require a value, like service=checkout`,
      });
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
    return z.NEVER;
  });

const service = z.strictObject({
  name: name("service"),
  /** The owning team: a Slack user group. */
  team: slackUsergroupId.optional(),
  invite: z.array(slackUserId).max(500).default([]),
  escalation_policy: z.string().min(1).max(100).optional(),
  announce_channel: channelRef.optional(),
  /** Alertmanager matchers, like `service=checkout` or `namespace=ecommerce, app=checkout`; a list is ANDed. */
  match: matcherText.optional(),
});

const uniqueNames =
  <T extends { name: string }>(kind: string) =>
  (list: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.name))
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `a second ${kind} named "${item.name}": names must be unique`,
        });
      seen.add(item.name);
    });
  };

/**
 * The intake sections of firebreak.yaml, to spread into the file's schema:
 *
 * ```yaml
 * integrations:                       # POST /integrations/<name>, Authorization: Bearer <token>
 *   - name: cron
 *     type: generic                   # generic | grafana | alertmanager
 *     token_env: CRON_WEBHOOK_TOKEN
 *     fields: { dedup_key: job.id, title: job.message, severity: level, status: state }
 *     severity_map: { fatal: P1, error: P2, warning: P3 }
 *     resolved_values: [ok, resolved]
 * heartbeats:                         # POST /heartbeats/<name>
 *   - { name: backups, token_env: BACKUP_HEARTBEAT_TOKEN, interval: 1h, grace: 10m, severity: P2 }
 * services:
 *   - { name: checkout, team: S0CHECKOUT, escalation_policy: checkout, announce_channel: C0CHECKOUT, match: "service=checkout" }
 * ```
 */
export const intakeSectionShape = {
  integrations: z.array(integration).max(100).superRefine(uniqueNames("integration")).default([]),
  heartbeats: z.array(heartbeat).max(1000).superRefine(uniqueNames("heartbeat")).default([]),
  services: z.array(service).max(500).superRefine(uniqueNames("service")).default([]),
};

type Section = z.output<z.ZodObject<typeof intakeSectionShape>>;

/** An integration of firebreak.yaml, its token still named by its variable. */
export type IntegrationConfig =
  | { name: string; type: "generic"; tokenEnv: string; mapping: GenericMapping }
  | {
      name: string;
      type: "grafana" | "alertmanager";
      tokenEnv: string;
      labels: Readonly<Record<string, string>>;
    };

/** A heartbeat of firebreak.yaml: its spec, token variable and (optional) fixed route. */
export interface HeartbeatConfig extends HeartbeatSpec {
  tokenEnv: string;
  route?: AlertRouteDecision;
}

/** Integrations, heartbeats and services, validated, with defaults filled in. */
export interface IntakeConfig {
  integrations: IntegrationConfig[];
  heartbeats: HeartbeatConfig[];
  services: Service[];
}

/** Turns the parsed sections into `IntakeConfig`. */
export function buildIntakeConfig(s: Section): IntakeConfig {
  return {
    integrations: s.integrations.map((i): IntegrationConfig => {
      if (i.type !== "generic")
        return { name: i.name, type: i.type, tokenEnv: i.token_env, labels: i.labels };
      const map = Object.fromEntries(
        Object.entries(i.severity_map ?? {}).map(([k, v]) => [k.trim().toLowerCase(), v]),
      );
      return {
        name: i.name,
        type: "generic",
        tokenEnv: i.token_env,
        mapping: {
          fields: i.fields as GenericFieldMap,
          severityMap: map,
          defaultSeverity: i.default_severity ?? "P3",
          resolvedValues: (i.resolved_values ?? ["resolved"]).map((v) => v.trim().toLowerCase()),
          labels: i.labels,
        },
      };
    }),
    heartbeats: s.heartbeats.map((h) => ({
      name: h.name,
      tokenEnv: h.token_env,
      intervalMs: h.interval,
      graceMs: h.grace,
      severity: h.severity,
      labels: h.labels,
      ...(h.route
        ? {
            route: {
              routeIndex: null,
              invite: h.route.invite,
              usergroups: h.route.usergroups,
              ...(h.route.escalation_policy ? { escalationPolicy: h.route.escalation_policy } : {}),
              ...(h.route.announce_channel ? { announceChannel: h.route.announce_channel } : {}),
              autoDiagnostics: [],
            },
          }
        : {}),
    })),
    services: s.services.map((v) => ({
      name: v.name,
      ...(v.team ? { team: v.team } : {}),
      invite: v.invite,
      ...(v.escalation_policy ? { escalationPolicy: v.escalation_policy } : {}),
      ...(v.announce_channel ? { announceChannel: v.announce_channel } : {}),
      matchers: v.match ?? [],
    })),
  };
}

/** Escalation policies the intake sections name, with where, for the file's cross-reference check. */
export function intakePolicyReferences(s: Section): { where: string; policy: string }[] {
  return [
    ...s.heartbeats.flatMap((h, i) =>
      h.route?.escalation_policy
        ? [{ where: `heartbeats[${i}].route.escalation_policy`, policy: h.route.escalation_policy }]
        : [],
    ),
    ...s.services.flatMap((v, i) =>
      v.escalation_policy ? [{ where: `services[${i}].escalation_policy`, policy: v.escalation_policy }] : [],
    ),
  ];
}

/**
 * The tokens of integrations and heartbeats, by name, read from the environment. Throws
 * config_invalid naming the first variable that is unset.
 */
export function resolveIntakeTokens(
  c: IntakeConfig,
  secrets: Readonly<Record<string, string | undefined>>,
): { integrations: Map<string, string>; heartbeats: Map<string, string> } {
  const read = (variable: string, where: string) => {
    const value = secrets[variable]?.trim();
    if (!value)
      throw new FirebreakError(
        "config_invalid",
        `${variable}: is not set, but firebreak.yaml ${where}.token_env reads it; export it with the token the sender uses (or remove the entry).`,
      );
    return value;
  };
  return {
    integrations: new Map(c.integrations.map((i, n) => [i.name, read(i.tokenEnv, `integrations[${n}]`)])),
    heartbeats: new Map(c.heartbeats.map((h, n) => [h.name, read(h.tokenEnv, `heartbeats[${n}]`)])),
  };
}
