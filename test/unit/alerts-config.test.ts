import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { alertsSectionShape, buildAlertsConfig } from "../../src/config-schema/alerts.js";
import type { AlertsConfig } from "../../src/config-schema/alerts.js";
import { routeAlertGroup } from "../../src/core/alerts/routing.js";
import { severityFromLabels } from "../../src/core/alerts/severity-from-labels.js";

const file = z.strictObject({ ...alertsSectionShape });

function load(yaml: string): AlertsConfig {
  return buildAlertsConfig(file.parse(parseYaml(yaml) ?? {}).alerts);
}

function problem(yaml: string): string {
  const parsed = file.safeParse(parseYaml(yaml));
  if (parsed.success) throw new Error("expected the config to be refused");
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join(".")}: ${issue.message}`;
}

describe("the alerts section of firebreak.yaml", () => {
  it("works with nothing configured", () => {
    expect(load("")).toEqual({
      severity: { label: "severity", map: { critical: "P1", warning: "P3", info: "P3" }, fallback: "P3" },
      routes: [],
      onAllResolved: "notify",
      reopenWindowMs: 3_600_000,
      storm: { thresholdPerMinute: 10 },
      silenceDurations: [
        { label: "1h", ms: 3_600_000 },
        { label: "4h", ms: 14_400_000 },
        { label: "24h", ms: 86_400_000 },
      ],
    });
  });

  it("reads a full section and routes with it", () => {
    const config = load(`
alerts:
  severity_label: priority
  severity_map: { Page: P0, ticket: P2 }
  default_severity: P1
  routes:
    - match: { namespace: ecommerce, alertname: "=~MySQL.*", env: "!=staging" }
      invite: [U0123ABCD]
      usergroups: [S0123ABCD]
      escalation_policy: dba
      announce_channel: C0123ABCD
      severity: P0
      auto_diagnostics: [mysql.processlist]
    - match: {}
      invite: [W0123ABCD]
  on_all_resolved: auto_resolve
  reopen_window: 30m
  storm: { threshold_per_minute: 5 }
  silence_durations: [30m, 2h]
`);
    expect(config.onAllResolved).toBe("auto_resolve");
    expect(config.reopenWindowMs).toBe(1_800_000);
    expect(config.storm.thresholdPerMinute).toBe(5);
    expect(config.silenceDurations).toEqual([
      { label: "30m", ms: 1_800_000 },
      { label: "2h", ms: 7_200_000 },
    ]);
    expect(severityFromLabels({ priority: "page" }, config.severity)).toBe("P0");
    expect(severityFromLabels({ priority: "other" }, config.severity)).toBe("P1");
    expect(
      routeAlertGroup({ namespace: "ecommerce", alertname: "MySQLDown", env: "prod" }, config.routes),
    ).toEqual({
      routeIndex: 0,
      invite: ["U0123ABCD"],
      usergroups: ["S0123ABCD"],
      escalationPolicy: "dba",
      announceChannel: "C0123ABCD",
      severityOverride: "P0",
      autoDiagnostics: [{ command: "mysql.processlist", params: {} }],
    });
    expect(
      routeAlertGroup({ namespace: "ecommerce", alertname: "MySQLDown", env: "staging" }, config.routes),
    ).toMatchObject({
      routeIndex: 1,
      invite: ["W0123ABCD"],
    });
  });

  it.each([
    [
      "a regex that does not compile",
      "alerts: { routes: [ { match: { alertname: '=~(' } } ] }",
      'alerts.routes.0.match.alertname: "(" is not a valid regular expression',
    ],
    [
      "a user name instead of an id",
      "alerts: { routes: [ { invite: [alice] } ] }",
      "alerts.routes.0.invite.0: expected a Slack user id",
    ],
    ["a misspelt key", "alerts: { routes: [ { mach: {} } ] }", "alerts.routes.0: Unrecognized key"],
    ["an unknown severity", "alerts: { severity_map: { critical: P9 } }", "alerts.severity_map.critical:"],
    ["an unknown resolution policy", "alerts: { on_all_resolved: delete }", "alerts.on_all_resolved:"],
    [
      "a duration that is not one",
      "alerts: { reopen_window: soon }",
      'alerts.reopen_window: "soon" is not a duration',
    ],
    [
      "a zero storm threshold",
      "alerts: { storm: { threshold_per_minute: 0 } }",
      "alerts.storm.threshold_per_minute:",
    ],
    [
      "too many silence buttons",
      "alerts: { silence_durations: [1h, 2h, 3h, 4h, 5h, 6h] }",
      "alerts.silence_durations:",
    ],
    ["no silence buttons", "alerts: { silence_durations: [] }", "alerts.silence_durations:"],
  ])("refuses %s, naming where", (_what, yaml, message) => {
    expect(problem(yaml)).toContain(message);
  });

  it("reads diagnostics with parameters and a route's self-heal", () => {
    const config = load(`
alerts:
  routes:
    - match: { alertname: RedisMemoryHigh }
      auto_diagnostics: [redis-info, { command: redis-config-get, params: { parameters: maxmemory } }]
      self_heal:
        command: redis-set-maxmemory
        params: { target: cache, value: 2gb, retries: 3, force: true }
        page_after: 5m
    - match: { alertname: Other }
      self_heal: { command: k8s-rollout-restart }
`);
    expect(config.routes[0]).toMatchObject({
      autoDiagnostics: [
        { command: "redis-info", params: {} },
        { command: "redis-config-get", params: { parameters: "maxmemory" } },
      ],
      selfHeal: {
        command: "redis-set-maxmemory",
        // Typed values are checked against the command's parameter types as text, as /run would.
        params: { target: "cache", value: "2gb", retries: "3", force: "true" },
        pageAfterMs: 300_000,
      },
    });
    expect(config.routes[1]?.selfHeal).toEqual({ command: "k8s-rollout-restart", params: {} });
  });

  it("refuses a self_heal without a command, with unknown keys, or with page_after outside 1s–24h", () => {
    expect(problem("alerts: { routes: [{ self_heal: { params: {} } }] }")).toMatch(
      /^alerts.routes.0.self_heal.command: /,
    );
    expect(problem("alerts: { routes: [{ self_heal: { command: x, after: 5m } }] }")).toMatch(
      /^alerts.routes.0.self_heal: Unrecognized key: "after"/,
    );
    expect(problem("alerts: { routes: [{ self_heal: { command: x, page_after: 2d } }] }")).toBe(
      "alerts.routes.0.self_heal.page_after: use a duration from 1s to 24h, e.g. 5m",
    );
    expect(problem("alerts: { routes: [{ self_heal: { command: x, page_after: soon } }] }")).toMatch(
      /^alerts.routes.0.self_heal.page_after: "soon" is not a duration/,
    );
    expect(
      problem("alerts: { routes: [{ auto_diagnostics: [{ command: x, params: { Bad: 1 } }] }] }"),
    ).toMatch(/^alerts.routes.0.auto_diagnostics.0/);
  });
});
