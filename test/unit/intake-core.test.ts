import { describe, expect, it } from "vitest";
import { formatFieldPath, parseFieldPath, readFieldPath } from "../../src/core/alerts/field-path.js";
import { integrationGroupKey, integrationNotification } from "../../src/core/alerts/integration-event.js";
import { mergeAlertStates } from "../../src/core/alerts/merge.js";
import { groupSeverity } from "../../src/core/alerts/severity-from-labels.js";
import {
  WAITING,
  describeMs,
  heartbeatNotification,
  isOverdue,
  onBeat,
  onMissed,
} from "../../src/core/alerts/heartbeat.js";
import type { HeartbeatSpec } from "../../src/core/alerts/heartbeat.js";
import { applyService, serviceForLabels, splitServicePrefix } from "../../src/core/alerts/services.js";
import type { Service } from "../../src/core/alerts/services.js";
import { parseMatchers } from "../../src/core/alerts/matcher-syntax.js";

const at = (iso: string) => new Date(iso);

describe("dotted field paths", () => {
  const body = {
    job: { id: "backup-db", attempts: [{ url: "https://ci.example.com/1" }] },
    "0": "zero",
    level: 3,
  };

  it("read nested keys and array elements", () => {
    expect(readFieldPath(body, parseFieldPath("job.id"))).toBe("backup-db");
    expect(readFieldPath(body, parseFieldPath("job.attempts.0.url"))).toBe("https://ci.example.com/1");
    expect(readFieldPath(body, parseFieldPath("0"))).toBe("zero");
    expect(readFieldPath(body, parseFieldPath("level"))).toBe(3);
  });

  it("read missing steps as undefined, and never inherited properties", () => {
    expect(readFieldPath(body, parseFieldPath("job.name"))).toBeUndefined();
    expect(readFieldPath(body, parseFieldPath("job.id.length"))).toBeUndefined();
    expect(readFieldPath(body, parseFieldPath("job.attempts.5.url"))).toBeUndefined();
    expect(readFieldPath(body, parseFieldPath("job.constructor"))).toBeUndefined();
    expect(readFieldPath(body, parseFieldPath("__proto__"))).toBeUndefined();
    expect(readFieldPath("text", parseFieldPath("length"))).toBeUndefined();
  });

  it("refuse what is not a dotted path, saying how to write one", () => {
    for (const bad of ["", "job..id", "job.", "job id", "a[0]", Array(17).fill("a").join(".")])
      expect(() => parseFieldPath(bad), bad).toThrow(/dotted path|too deep/);
    expect(formatFieldPath(parseFieldPath(" job.attempts.0 "))).toBe("job.attempts.0");
  });
});

describe("a generic integration event as an alert", () => {
  const fire = integrationNotification(
    "cron",
    {
      dedupKey: "backup-db",
      status: "firing",
      title: "Backup failed",
      severity: "P1",
      links: [],
      labels: { team: "data" },
    },
    at("2024-05-01T10:00:00Z"),
  );

  it("is one alert in a group of its own per (integration, dedup key), with the severity it was given", () => {
    expect(fire.groupKey).toBe(integrationGroupKey("cron", "backup-db"));
    expect(fire.groupKey).not.toBe(integrationGroupKey("deploys", "backup-db"));
    expect(fire.alerts).toHaveLength(1);
    expect(fire.commonLabels).toMatchObject({
      alertname: "cron",
      integration: "cron",
      dedup_key: "backup-db",
      team: "data",
    });
    expect(fire.title).toBe("Backup failed");
    expect(fire.source).toBe("integration:cron");
    expect(groupSeverity(fire.alerts, fire.commonLabels)).toBe("P1");
  });

  it("merges like an alert: a repeat changes nothing, a resolve resolves, a later firing fires again", () => {
    const opened = mergeAlertStates(new Map(), fire);
    expect(opened.changes.added).toHaveLength(1);
    const repeat = integrationNotification(
      "cron",
      { dedupKey: "backup-db", status: "firing", links: [], labels: {} },
      at("2024-05-01T10:01:00Z"),
    );
    const repeated = mergeAlertStates(opened.states, repeat);
    expect(repeated.changes.unchanged).toHaveLength(1);
    const ok = integrationNotification(
      "cron",
      { dedupKey: "backup-db", status: "resolved", links: [], labels: {} },
      at("2024-05-01T10:02:00Z"),
    );
    const resolved = mergeAlertStates(repeated.states, ok);
    expect(resolved.changes.resolved).toHaveLength(1);
    expect(resolved.allResolved).toBe(true);
    const again = integrationNotification(
      "cron",
      { dedupKey: "backup-db", status: "firing", links: [], labels: {} },
      at("2024-05-01T10:05:00Z"),
    );
    expect(mergeAlertStates(resolved.states, again).changes.refired).toHaveLength(1);
  });
});

describe("heartbeat deadlines", () => {
  const spec: HeartbeatSpec = {
    name: "backups",
    intervalMs: 3_600_000,
    graceMs: 600_000,
    severity: "P2",
    labels: { service: "storage" },
  };

  it("expect nothing before the first beat, then the next one within interval + grace", () => {
    expect(isOverdue(WAITING, at("2030-01-01T00:00:00Z"))).toBe(false);
    const { next, recovered } = onBeat(WAITING, spec, at("2024-05-01T10:00:00Z"));
    expect(recovered).toBeNull();
    expect(next).toMatchObject({ status: "up", deadlineAt: at("2024-05-01T11:10:00Z") });
    expect(isOverdue(next, at("2024-05-01T11:09:59Z"))).toBe(false);
    expect(isOverdue(next, at("2024-05-01T11:10:00Z"))).toBe(true);
  });

  it("miss once, and the next beat ends the episode that began at the missed deadline", () => {
    const up = onBeat(WAITING, spec, at("2024-05-01T10:00:00Z")).next;
    const missed = onMissed(up);
    expect(missed).toMatchObject({ status: "missed", missedAt: at("2024-05-01T11:10:00Z") });
    expect(isOverdue(missed, at("2024-05-01T13:00:00Z"))).toBe(false);
    const back = onBeat(missed, spec, at("2024-05-01T12:00:00Z"));
    expect(back.recovered).toEqual({ missedAt: at("2024-05-01T11:10:00Z") });
    expect(back.next.deadlineAt).toEqual(at("2024-05-01T13:10:00Z"));
  });

  it("become a firing then a resolved alert of one group per heartbeat, with the configured severity", () => {
    const missed = heartbeatNotification(
      spec,
      { kind: "missed", missedAt: at("2024-05-01T11:10:00Z"), lastBeatAt: at("2024-05-01T10:00:00Z") },
      at("2024-05-01T11:10:02Z"),
    );
    expect(missed).toMatchObject({
      groupKey: "heartbeat:backups",
      status: "firing",
      source: "heartbeat:backups",
    });
    expect(missed.commonLabels).toEqual({
      service: "storage",
      alertname: "HeartbeatMissed",
      heartbeat: "backups",
    });
    expect(missed.commonAnnotations.summary).toBe("No heartbeat from backups since 2024-05-01T10:00:00.000Z");
    expect(missed.commonAnnotations.description).toContain("every 1h (grace 10m)");
    expect(groupSeverity(missed.alerts, missed.commonLabels)).toBe("P2");
    const recovered = heartbeatNotification(
      spec,
      { kind: "recovered", missedAt: at("2024-05-01T11:10:00Z"), beatAt: at("2024-05-01T12:00:00Z") },
      at("2024-05-01T12:00:00Z"),
    );
    const opened = mergeAlertStates(new Map(), missed);
    const closed = mergeAlertStates(opened.states, recovered);
    expect(closed.changes.resolved).toHaveLength(1);
    expect(closed.allResolved).toBe(true);
    // The next miss is a new episode of the same alert.
    const again = heartbeatNotification(
      spec,
      { kind: "missed", missedAt: at("2024-05-01T13:10:00Z"), lastBeatAt: at("2024-05-01T12:00:00Z") },
      at("2024-05-01T13:10:01Z"),
    );
    expect(mergeAlertStates(closed.states, again).changes.refired).toHaveLength(1);
  });

  it("describe durations the way firebreak.yaml writes them", () => {
    expect([0, 90_000, 3_600_000, 5_400_000, 86_400_000 + 1_000].map(describeMs)).toEqual([
      "0s",
      "1m30s",
      "1h",
      "1h30m",
      "1d1s",
    ]);
  });
});

describe("services", () => {
  const services: Service[] = [
    {
      name: "checkout",
      team: "S0CHECKOUT",
      invite: ["U0DAVE"],
      escalationPolicy: "checkout",
      announceChannel: "C0CHECKOUT",
      matchers: parseMatchers('namespace=ecommerce, app=~"checkout(-.*)?"'),
    },
    { name: "search", invite: [], matchers: parseMatchers("service=search") },
    { name: "manual-only", invite: [], matchers: [] },
  ];

  it("match alerts by their labels, first service first; one without matchers only by name", () => {
    expect(serviceForLabels({ namespace: "ecommerce", app: "checkout-api" }, services)?.name).toBe(
      "checkout",
    );
    expect(serviceForLabels({ namespace: "ecommerce", app: "cart" }, services)).toBeUndefined();
    expect(serviceForLabels({ service: "search" }, services)?.name).toBe("search");
    expect(serviceForLabels({}, services)).toBeUndefined();
  });

  it("decide invitees, policy and announcement ahead of the generic route, keeping its severity and diagnostics", () => {
    const route = {
      routeIndex: 0,
      invite: ["U0CAROL"],
      usergroups: ["S0SRE"],
      escalationPolicy: "sre",
      announceChannel: "C0SRE",
      severityOverride: "P1" as const,
      autoDiagnostics: [{ command: "k8s-pods", params: {} }],
    };
    expect(applyService(route, services[0])).toEqual({
      routeIndex: 0,
      service: "checkout",
      invite: ["U0DAVE"],
      usergroups: ["S0CHECKOUT"],
      escalationPolicy: "checkout",
      announceChannel: "C0CHECKOUT",
      severityOverride: "P1",
      autoDiagnostics: [{ command: "k8s-pods", params: {} }],
    });
    // What the service leaves unset stays the route's.
    expect(applyService(route, services[1])).toMatchObject({
      service: "search",
      escalationPolicy: "sre",
      announceChannel: "C0SRE",
      usergroups: [],
    });
    expect(applyService(route, undefined)).toBe(route);
  });

  it("read `checkout: …` in a declared title as the service only when it exists", () => {
    expect(splitServicePrefix("checkout: Payments fail", services)).toMatchObject({
      service: { name: "checkout" },
      title: "Payments fail",
    });
    expect(splitServicePrefix("Checkout:Payments fail", services).service?.name).toBe("checkout");
    expect(splitServicePrefix("DB: slow queries", services)).toEqual({ title: "DB: slow queries" });
    expect(splitServicePrefix("checkout is down", services)).toEqual({ title: "checkout is down" });
    expect(splitServicePrefix("checkout:", services)).toEqual({ title: "checkout:" });
  });
});
