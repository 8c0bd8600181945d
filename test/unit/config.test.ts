import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUNDLED_EXAMPLE_CONFIG, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected an error");
};

describe("environment options", () => {
  it("defaults to local mode with the documented defaults", () => {
    const env = readEnvOptions({}, "/nonexistent");
    expect(env).toMatchObject({
      localMode: true,
      databaseUrl: "postgres://localhost:5432/firebreak",
      redisUrl: "redis://127.0.0.1:6379",
      port: 3000,
      logLevel: "info",
    });
    expect(env.configPath).toBe(BUNDLED_EXAMPLE_CONFIG);
  });

  it("requires the signing secret with a bot token, naming the variable and where to find it", () => {
    expect(errorOf(() => readEnvOptions({ SLACK_BOT_TOKEN: "xoxb-1" }))).toMatch(
      /^SLACK_SIGNING_SECRET: .*Signing Secret/,
    );
  });

  it("takes Socket Mode from SLACK_APP_TOKEN: no signing secret needed, but a bot token and an xapp- token", () => {
    const env = readEnvOptions({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1-A1-2-abc" });
    expect(env).toMatchObject({ localMode: false, slackAppToken: "xapp-1-A1-2-abc" });
    expect(env.slackSigningSecret).toBeUndefined();
    expect(errorOf(() => readEnvOptions({ SLACK_APP_TOKEN: "xapp-1-A1-2-abc" }))).toMatch(
      /^SLACK_BOT_TOKEN: is required with SLACK_APP_TOKEN/,
    );
    expect(errorOf(() => readEnvOptions({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-1" }))).toMatch(
      /^SLACK_APP_TOKEN: must be an app-level token starting with xapp-/,
    );
  });

  it("rejects malformed values with one line per variable", () => {
    expect(errorOf(() => readEnvOptions({ PORT: "http" }))).toMatch(/^PORT: /);
    expect(errorOf(() => readEnvOptions({ DATABASE_URL: "mysql://x" }))).toMatch(
      /^DATABASE_URL: must start with postgres/,
    );
    expect(errorOf(() => readEnvOptions({ SLACK_BOT_TOKEN: "xoxp-user" }))).toMatch(/^SLACK_BOT_TOKEN: /);
    expect(errorOf(() => readEnvOptions({ LOG_LEVEL: "loud" }))).toMatch(/^LOG_LEVEL: /);
  });
});

describe("firebreak.yaml", () => {
  it("accepts the bundled example", () => {
    const c = parseFirebreakConfig(readFileSync(BUNDLED_EXAMPLE_CONFIG, "utf8"));
    expect(c.severities.P0.responseTargetMs).toBe(15 * 60_000);
    expect(c.severities.P3.responseTargetMs).toBe(24 * 3_600_000);
    expect(c.roles.admin.users).toContain("U0ALICE");
  });

  it("fills defaults for an empty file", () => {
    const c = parseFirebreakConfig("");
    expect(c.severities.P1.responseTargetMs).toBe(3_600_000);
    expect(c.permissions.resolve).toContain("incident_commander");
    expect(c.severities.P2.checklist.length).toBeGreaterThan(3);
  });

  it("names the field and the fix for a bad value", () => {
    expect(errorOf(() => parseFirebreakConfig("roles:\n  admin:\n    users: [alice]\n"))).toMatch(
      /roles\.admin\.users\[0\]: expected a Slack user id/,
    );
    expect(errorOf(() => parseFirebreakConfig("severities:\n  P1:\n    response_target: soon\n"))).toMatch(
      /severities\.P1\.response_target: .*15m/,
    );
    expect(errorOf(() => parseFirebreakConfig("timezone: Mars/Olympus\n"))).toMatch(
      /timezone: expected an IANA time zone/,
    );
    expect(errorOf(() => parseFirebreakConfig("permisions: {}\n"))).toMatch(/permisions/);
    expect(errorOf(() => parseFirebreakConfig("a: [\n"))).toMatch(/not valid YAML/);
  });

  it("reads jobs.overdue_sweep like the other job intervals: 2s unless set, 1s to 1h", () => {
    expect(parseFirebreakConfig("").jobs.overdueSweepMs).toBe(2_000);
    expect(parseFirebreakConfig("jobs:\n  overdue_sweep: 5s\n").jobs.overdueSweepMs).toBe(5_000);
    expect(errorOf(() => parseFirebreakConfig("jobs:\n  overdue_sweep: 2h\n"))).toMatch(
      /jobs\.overdue_sweep: use an interval between 1s and 1h/,
    );
  });
});

describe("firebreak.yaml paging sections", () => {
  it("parses schedules and policies and names a dangling reference", () => {
    const ok = parseFirebreakConfig(`
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - name: weekly
        users: [U0ALICE, U0BOB]
        shift: weekly
        handoff: "09:00"
        start: "2026-01-05"
escalation_policies:
  default:
    repeat: 1
    steps:
      - notify: [{ schedule: primary }]
        ack_timeout: 15m
      - notify: [{ user: U0CAROL }]
        ack_timeout: 30m
severity_policies:
  P0: default
`);
    expect(Object.keys(ok.paging.schedules)).toEqual(["primary"]);
    expect(ok.paging.escalation_policies.default?.steps).toHaveLength(2);
    expect(
      errorOf(() =>
        parseFirebreakConfig(
          "escalation_policies:\n  default:\n    steps:\n      - notify: [{ schedule: primry }]\n",
        ),
      ),
    ).toMatch(/no schedule named "primry"/);
    expect(
      errorOf(() => parseFirebreakConfig("alerts:\n  routes:\n    - escalation_policy: nightly\n")),
    ).toMatch(/alerts\.routes\[0\]\.escalation_policy/);
  });
});
