import { describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import { resolveIntakeTokens } from "../../src/config-schema/intake.js";
import { formatMatchers } from "../../src/core/alerts/matcher-syntax.js";

const problem = (yaml: string) => {
  try {
    parseFirebreakConfig(yaml);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the config to be refused");
};

const FULL = `
escalation_policies:
  checkout:
    steps: [{ notify: [{ user: U0BOB }], ack_timeout: 5m }]
integrations:
  - name: cron
    type: generic
    token_env: CRON_WEBHOOK_TOKEN
    fields: { dedup_key: job.id, title: job.message, severity: level, status: state }
    severity_map: { Fatal: P1, error: P2, warning: P3 }
    resolved_values: [OK, resolved]
  - { name: grafana, type: grafana, token_env: GRAFANA_TOKEN, labels: { team: observability } }
  - { name: am-eu, type: alertmanager, token_env: AM_EU_TOKEN }
heartbeats:
  - { name: backups, token_env: BACKUP_HEARTBEAT_TOKEN, interval: 1h, grace: 10m, severity: P2 }
  - name: watchdog
    token_env: WATCHDOG_TOKEN
    interval: 1m
    route: { invite: [U0CAROL], escalation_policy: checkout }
services:
  - name: checkout
    team: S0CHECKOUT
    escalation_policy: checkout
    announce_channel: C0CHECKOUT
    match: "namespace=ecommerce, app=checkout"
  - { name: search, match: [service=search, 'env!="staging"'] }
`;

describe("integrations, heartbeats and services in firebreak.yaml", () => {
  it("read the contract's example", () => {
    const { intake } = parseFirebreakConfig(FULL);
    expect(intake.integrations.map((i) => [i.name, i.type, i.tokenEnv])).toEqual([
      ["cron", "generic", "CRON_WEBHOOK_TOKEN"],
      ["grafana", "grafana", "GRAFANA_TOKEN"],
      ["am-eu", "alertmanager", "AM_EU_TOKEN"],
    ]);
    const cron = intake.integrations[0]!;
    if (cron.type !== "generic") throw new Error("generic");
    expect(cron.mapping).toEqual({
      fields: { dedup_key: ["job", "id"], title: ["job", "message"], severity: ["level"], status: ["state"] },
      severityMap: { fatal: "P1", error: "P2", warning: "P3" },
      defaultSeverity: "P3",
      resolvedValues: ["ok", "resolved"],
      labels: {},
    });
    expect(intake.heartbeats[0]).toEqual({
      name: "backups",
      tokenEnv: "BACKUP_HEARTBEAT_TOKEN",
      intervalMs: 3_600_000,
      graceMs: 600_000,
      severity: "P2",
      labels: {},
    });
    expect(intake.heartbeats[1]).toMatchObject({
      graceMs: 0,
      route: { invite: ["U0CAROL"], usergroups: [], escalationPolicy: "checkout" },
    });
    expect(intake.services[0]).toMatchObject({
      name: "checkout",
      team: "S0CHECKOUT",
      announceChannel: "C0CHECKOUT",
    });
    expect(formatMatchers(intake.services[0]!.matchers)).toBe('namespace="ecommerce", app="checkout"');
    expect(formatMatchers(intake.services[1]!.matchers)).toBe('service="search", env!="staging"');
  });

  it("default to none of each", () => {
    expect(parseFirebreakConfig("").intake).toEqual({ integrations: [], heartbeats: [], services: [] });
  });

  it("refuse mistakes in one line naming the field and the fix", () => {
    const cases: [string, RegExp][] = [
      [
        "integrations: [{ name: cron, type: generic, token_env: T }]",
        /^firebreak\.yaml: integrations\[0\]\.fields: a generic integration needs fields/,
      ],
      [
        "integrations: [{ name: cron, type: generic, token_env: T, fields: { title: a } }]",
        /^firebreak\.yaml: integrations\[0\]\.fields\.dedup_key: /,
      ],
      [
        "integrations: [{ name: cron, type: generic, token_env: T, fields: { dedup_key: 'a..b' } }]",
        /integrations\[0\]\.fields\.dedup_key: "a\.\.b" is not a dotted path/,
      ],
      [
        "integrations: [{ name: g, type: grafana, token_env: T, severity_map: { a: P1 } }]",
        /integrations\[0\]\.severity_map: only a generic integration maps fields/,
      ],
      [
        "integrations: [{ name: g, type: pagerduty, token_env: T }]",
        /integrations\[0\]\.type: expected type generic, grafana or alertmanager/,
      ],
      [
        "integrations: [{ name: Cron Jobs, type: grafana, token_env: T }]",
        /integrations\[0\]\.name: a integration name uses lowercase/,
      ],
      [
        "integrations: [{ name: g, type: grafana, token_env: 'my token' }]",
        /integrations\[0\]\.token_env: name the environment variable/,
      ],
      [
        "integrations: [{ name: g, type: grafana, token_env: A }, { name: g, type: grafana, token_env: B }]",
        /integrations\[1\]\.name: a second integration named "g"/,
      ],
      [
        "integrations: [{ name: cron, type: generic, token_env: T, fields: { dedup_key: id }, severity_map: { x: P9 } }]",
        /severity_map\.x: expected a severity/,
      ],
      [
        "heartbeats: [{ name: b, token_env: T, interval: soon }]",
        /heartbeats\[0\]\.interval: "soon" is not a duration/,
      ],
      ["heartbeats: [{ name: b, token_env: T }]", /heartbeats\[0\]\.interval: /],
      [
        "heartbeats: [{ name: b, token_env: T, interval: 1h, route: { escalation_policy: nope } }]",
        /heartbeats\[0\]\.route\.escalation_policy: no escalation policy named "nope"/,
      ],
      ["services: [{ name: checkout, match: 'app=' }]", /services\[0\]\.match: /],
      [
        "services: [{ name: checkout, match: 'app=~\".*\"' }]",
        /services\[0\]\.match: .*would match every alert/,
      ],
      ["services: [{ name: checkout, match: 'app' }]", /services\[0\]\.match: "app" needs an operator/],
      [
        "services: [{ name: checkout, team: checkout-team }]",
        /services\[0\]\.team: expected a Slack user group id/,
      ],
      [
        "services: [{ name: checkout, escalation_policy: nope }]",
        /services\[0\]\.escalation_policy: no escalation policy named "nope"/,
      ],
    ];
    for (const [yaml, expected] of cases) {
      const text = problem(yaml);
      expect(text, yaml).toMatch(expected);
      expect(text.includes("\n"), yaml).toBe(false);
    }
  });

  it("read every token from the environment, naming the first variable that is unset", () => {
    const { intake } = parseFirebreakConfig(FULL);
    const env = {
      CRON_WEBHOOK_TOKEN: "c",
      GRAFANA_TOKEN: "g",
      AM_EU_TOKEN: "a",
      BACKUP_HEARTBEAT_TOKEN: "b",
      WATCHDOG_TOKEN: "w",
    };
    const tokens = resolveIntakeTokens(intake, env);
    expect(tokens.integrations.get("cron")).toBe("c");
    expect(tokens.heartbeats.get("watchdog")).toBe("w");
    expect(() => resolveIntakeTokens(intake, { ...env, GRAFANA_TOKEN: " " })).toThrow(
      /^GRAFANA_TOKEN: is not set, but firebreak\.yaml integrations\[1\]\.token_env reads it; export it/,
    );
  });
});
