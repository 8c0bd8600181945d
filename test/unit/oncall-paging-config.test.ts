import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import {
  pagingConfigSchema,
  validatePagingConfig,
  type PagingConfig,
} from "../../src/config-schema/paging.js";
import { policyForSeverity } from "../../src/core/oncall/runbook-policy.js";

const YAML = `
schedules:
  primary:
    time_zone: europe/berlin
    layers:
      - name: weekly
        users: [UALICE, UBOB]
        shift: weekly
        handoff: "09:00"
        start: "2026-01-05"
      - name: office
        users: [UCAROL]
        shift: { every: 12h }
        handoff: "08:00"
        start: "2026-01-05"
        restrict:
          - { days: weekdays, from: "08:00", to: "18:00" }
          - { days: [sat], from: "22:00", to: "24:00" }
    overrides:
      - { user: UDAN, from: "2026-12-24 18:00", to: "2026-12-27 09:00" }
escalation_policies:
  default:
    repeat: 1
    steps:
      - notify: [{ schedule: primary }]
      - notify: [{ user: ULEAD }]
      - notify: [{ user: UDIRECTOR }, { usergroup: S0LEADS }]
      - notify: [{ user: UCTO }]
  quiet:
    steps:
      - notify: [{ schedule: primary }]
        ack_timeout: 1h30m
severity_policies:
  P3: quiet
`;

const MINUTE = 60_000;

function firstIssue(input: unknown): { path: string; message: string } {
  const result = pagingConfigSchema.safeParse(input);
  if (result.success) throw new Error("config was accepted");
  const issue = result.error.issues[0]!;
  return { path: issue.path.join("."), message: issue.message };
}

const validSchedule = {
  time_zone: "Europe/Berlin",
  layers: [{ name: "weekly", users: ["UALICE"], shift: "weekly", handoff: "09:00", start: "2026-01-05" }],
};

describe("the paging sections of firebreak.yaml", () => {
  const config = pagingConfigSchema.parse(parseYaml(YAML));

  it("turn a schedule into rotation layers in its canonical time zone", () => {
    const primary = config.schedules["primary"]!;
    expect(primary.name).toBe("primary");
    expect(primary.timeZone).toBe("Europe/Berlin");
    expect(primary.layers.map((l) => [l.name, l.shiftMs / 3_600_000])).toEqual([
      ["weekly", 168],
      ["office", 12],
    ]);
    expect(primary.layers[1]!.restrict).toEqual([
      { days: [1, 2, 3, 4, 5], from: { hour: 8, minute: 0 }, to: { hour: 18, minute: 0 } },
      { days: [6], from: { hour: 22, minute: 0 }, to: { hour: 24, minute: 0 } },
    ]);
  });

  it("read override times in the schedule's zone", () => {
    // Christmas Eve 18:00 CET is 17:00Z.
    expect(config.schedules["primary"]!.overrides).toEqual([
      { user: "UDAN", from: new Date("2026-12-24T17:00:00Z"), to: new Date("2026-12-27T08:00:00Z") },
    ]);
  });

  it("give steps without ack_timeout the runbook's: 15m, then 30m, then 1h from the third on", () => {
    expect(config.escalation_policies["default"]!.steps.map((s) => s.ackTimeoutMs / MINUTE)).toEqual([
      15, 30, 60, 60,
    ]);
    expect(config.escalation_policies["quiet"]!.steps[0]!.ackTimeoutMs).toBe(90 * MINUTE);
    expect(config.escalation_policies["quiet"]!.repeat).toBe(0);
  });

  it("map targets to their kinds", () => {
    expect(config.escalation_policies["default"]!.steps[2]!.notify).toEqual([
      { kind: "user", userId: "UDIRECTOR" },
      { kind: "usergroup", usergroupId: "S0LEADS" },
    ]);
  });

  it("pick the policy for a severity, falling back to the one called default", () => {
    const pick = (severity: "P0" | "P3") =>
      policyForSeverity(config.escalation_policies, config.severity_policies, severity)?.name;
    expect(pick("P3")).toBe("quiet");
    expect(pick("P0")).toBe("default");
    expect(policyForSeverity({}, {}, "P0")).toBeUndefined();
  });

  it("are all optional", () => {
    expect(pagingConfigSchema.parse({})).toEqual({
      schedules: {},
      escalation_policies: {},
      severity_policies: {},
    });
  });
});

describe("mistakes in the paging sections", () => {
  it.each([
    [
      { ...validSchedule, time_zone: "Europe/Berln" },
      "time_zone",
      /time_zone "Europe\/Berln" is not an IANA time zone: use a name like Europe\/Berlin/,
    ],
    [{ ...validSchedule, time_zone: "+01:00" }, "time_zone", /not an IANA time zone/],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], handoff: "9am" }] },
      "layers.0.handoff",
      /handoff "9am" is not a time: write a 24-hour local time like "09:00"/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], handoff: 540 }] },
      "layers.0.handoff",
      /handoff must be a quoted string/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], start: "2026-02-30" }] },
      "layers.0.start",
      /start "2026-02-30" is not a date/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], shift: "fortnightly" }] },
      "layers.0.shift",
      /shift must be daily, weekly or \{ every: "12h" \}/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], shift: { every: "30m" } }] },
      "layers.0.shift.every",
      /shift.every "30m" must be whole minutes from 1h to 90d/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], users: ["alice"] }] },
      "layers.0.users.0",
      /Slack user id like U0123ABCD/,
    ],
    [
      { ...validSchedule, layers: [{ ...validSchedule.layers[0], users: [] }] },
      "layers.0.users",
      /at least one Slack user id/,
    ],
    [
      {
        ...validSchedule,
        layers: [
          { ...validSchedule.layers[0], restrict: [{ days: ["funday"], from: "09:00", to: "17:00" }] },
        ],
      },
      "layers.0.restrict.0.days",
      /weekday/,
    ],
    [
      {
        ...validSchedule,
        layers: [{ ...validSchedule.layers[0], restrict: [{ from: "09:00", to: "09:00" }] }],
      },
      "layers.0.restrict.0.to",
      /from "00:00" to "24:00"/,
    ],
    [
      { ...validSchedule, layers: [validSchedule.layers[0], validSchedule.layers[0]] },
      "layers.1.name",
      /used twice/,
    ],
    [
      { ...validSchedule, overrides: [{ user: "UDAN", from: "2026-12-24 18:00", to: "2026-12-24 17:00" }] },
      "overrides.0.to",
      /must come after from/,
    ],
    [
      { ...validSchedule, overrides: [{ user: "UDAN", from: "tomorrow 09:00", to: "2026-12-24 17:00" }] },
      "overrides.0.from",
      /override from "tomorrow 09:00" is not a date and time: write it like "2026-12-24 18:00" \(local to Europe\/Berlin\)/,
    ],
  ])("schedule error %# names %s and the fix", (schedule, path, message) => {
    const issue = firstIssue({ schedules: { primary: schedule } });
    expect(issue.path).toBe(`schedules.primary.${path}`);
    expect(issue.message).toMatch(message);
  });

  it.each([
    ["help", /cannot name a schedule: \/oncall reads it as a keyword/],
    ["Primary", /lowercase letters, digits/],
  ])("refuses the schedule name %j", (name, message) => {
    expect(firstIssue({ schedules: { [name]: validSchedule } }).message).toMatch(message);
  });

  const step = { notify: [{ user: "ULEAD" }] };
  it.each([
    [{ steps: [] }, "steps", /at least one step/],
    [{ repeat: 10, steps: [step] }, "repeat", /from 0 to 9/],
    [{ steps: [{ notify: [] }] }, "steps.0.notify", /at least one user, schedule or usergroup/],
    [
      { steps: [{ notify: [{ user: "ULEAD", schedule: "primary" }] }] },
      "steps.0.notify.0",
      /exactly one of user, schedule or usergroup/,
    ],
    [{ steps: [{ notify: [{ team: "dba" }] }] }, "steps.0.notify.0", /notify entries look like/],
    [
      { steps: [{ ...step, ack_timeout: "soon" }] },
      "steps.0.ack_timeout",
      /ack_timeout: "soon" is not a duration/,
    ],
    [{ steps: [{ ...step, ack_timeout: "2d" }] }, "steps.0.ack_timeout", /from 1m to 24h/],
  ])("policy error %# names %s and the fix", (policy, path, message) => {
    const issue = firstIssue({ escalation_policies: { default: policy } });
    expect(issue.path).toBe(`escalation_policies.default.${path}`);
    expect(issue.message).toMatch(message);
  });

  it("refuses a policy named like a severity, which /oncall simulate would misread", () => {
    expect(firstIssue({ escalation_policies: { p1: { steps: [step] } } }).message).toMatch(
      /"p1" cannot name an escalation policy: \/oncall reads it as a keyword/,
    );
  });

  it("points at a step naming a schedule that does not exist, listing the ones that do", () => {
    const input = {
      schedules: { primary: validSchedule },
      escalation_policies: { default: { steps: [{ notify: [{ schedule: "primry" }] }] } },
    };
    const issue = firstIssue(input);
    expect(issue.path).toBe("escalation_policies.default.steps.0.notify.0.schedule");
    expect(issue.message).toBe(
      'no schedule named "primry": add it under schedules or fix the name (defined: primary)',
    );
  });

  it("lists every broken reference for check-config", () => {
    const parsed = pagingConfigSchema.shape;
    const config: PagingConfig = {
      schedules: parsed.schedules.parse({}),
      escalation_policies: parsed.escalation_policies.parse({
        default: { steps: [{ notify: [{ schedule: "db" }] }] },
      }),
      severity_policies: { P0: "urgent", P2: "default" },
    };
    expect(validatePagingConfig(config)).toEqual([
      'escalation_policies.default.steps[0].notify[0].schedule: no schedule named "db": add it under schedules or fix the name (none are defined yet)',
      'severity_policies.P0: no escalation policy named "urgent": add it under escalation_policies or fix the name (defined: default)',
    ]);
  });

  it("refuses severity_policies keys that are not severities", () => {
    expect(firstIssue({ severity_policies: { P9: "default" } }).message).toMatch(/P0, P1, P2, P3/);
  });
});
