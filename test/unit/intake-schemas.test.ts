import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { mapGenericEvent } from "../../src/alerts/generic-payload.js";
import type { GenericMapping } from "../../src/core/alerts/generic-mapping.js";
import { grafanaNotification, parseGrafanaWebhook } from "../../src/alerts/grafana-payload.js";
import { parseFieldPath } from "../../src/core/alerts/field-path.js";
import { mergeAlertStates } from "../../src/core/alerts/merge.js";
import { summarizeAlertGroup } from "../../src/core/alerts/summary.js";

const mapping: GenericMapping = {
  fields: {
    dedup_key: parseFieldPath("job.id"),
    title: parseFieldPath("job.message"),
    severity: parseFieldPath("level"),
    status: parseFieldPath("state"),
    description: parseFieldPath("details"),
    links: parseFieldPath("links"),
    labels: parseFieldPath("tags"),
  },
  severityMap: { fatal: "P1", error: "P2", warning: "P3" },
  defaultSeverity: "P3",
  resolvedValues: ["ok", "resolved"],
  labels: { team: "data" },
};

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a refusal");
};

describe("a generic webhook body, mapped by its integration's fields", () => {
  it("reads every mapped field by its dotted path", () => {
    const e = mapGenericEvent(
      "cron",
      {
        job: { id: 4711, message: "Nightly backup failed" },
        level: "FATAL",
        state: "failed",
        details: "exit code 2",
        links: [
          "https://ci.example.com/jobs/4711",
          { href: "https://logs.example.com/?q=4711", title: "Logs" },
          { url: "javascript:alert(1)", text: "x" },
        ],
        tags: { host: "db-1", attempt: 3 },
      },
      mapping,
    );
    expect(e).toEqual({
      dedupKey: "4711",
      status: "firing",
      title: "Nightly backup failed",
      severity: "P1",
      description: "exit code 2",
      links: [
        { url: "https://ci.example.com/jobs/4711", text: "" },
        { url: "https://logs.example.com/?q=4711", text: "Logs" },
        // Kept as sent: only http(s) links ever become buttons (decided where they are shown).
        { url: "javascript:alert(1)", text: "x" },
      ],
      labels: { team: "data", host: "db-1", attempt: "3" },
    });
  });

  it("reads the resolved values as resolved, anything else as firing; unmapped severities fall back", () => {
    const base = { job: { id: "j" } };
    expect(mapGenericEvent("cron", { ...base, state: "OK" }, mapping).status).toBe("resolved");
    expect(mapGenericEvent("cron", { ...base, state: "Resolved" }, mapping).status).toBe("resolved");
    expect(mapGenericEvent("cron", { ...base, state: "degraded" }, mapping).status).toBe("firing");
    expect(mapGenericEvent("cron", base, mapping)).toMatchObject({
      status: "firing",
      severity: "P3",
      links: [],
    });
    expect(mapGenericEvent("cron", { ...base, level: "debug" }, mapping).severity).toBe("P3");
    expect(mapGenericEvent("cron", { ...base, level: "p0" }, mapping).severity).toBe("P0");
  });

  it("refuses a body without the dedup key, or with a field of the wrong shape, naming the path and the field", () => {
    expect(message(() => mapGenericEvent("cron", { job: {} }, mapping))).toBe(
      "cron event rejected: job.id (dedup_key): required, the dedup key of the event",
    );
    expect(message(() => mapGenericEvent("cron", { job: { id: "" } }, mapping))).toBe(
      "cron event rejected: job.id (dedup_key): must not be empty",
    );
    expect(message(() => mapGenericEvent("cron", { job: { id: { a: 1 } } }, mapping))).toMatch(
      /^cron event rejected: job\.id \(dedup_key\): /,
    );
    expect(message(() => mapGenericEvent("cron", { job: { id: "j" }, tags: ["a"] }, mapping))).toMatch(
      /^cron event rejected: tags \(labels\): expected object, got array/,
    );
    expect(message(() => mapGenericEvent("cron", [1, 2], mapping))).toBe(
      "cron event rejected: (body): expected a JSON object",
    );
  });
});

describe("Grafana's webhook contact point", () => {
  const fixture = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, "../fixtures/grafana/webhook-firing.json"), "utf8"),
  ) as Record<string, unknown>;

  it("reads the documented body, with the fields Grafana adds to Alertmanager's", () => {
    const g = parseGrafanaWebhook(fixture);
    expect(g).toMatchObject({ orgId: 1, state: "alerting", title: "[FIRING:2]  (blue)" });
    expect(g.message).toContain("**Firing**");
    expect(g.alerts[0]!.values).toEqual({ B: 44.23943737541908, C: 1 });
    const n = grafanaNotification("grafana", g, new Date("2021-10-12T08:00:00Z"));
    expect(n.groupKey).toBe("integration:grafana:{}:{}");
    expect(n.source).toBe("integration:grafana");
    expect(n.alerts.map((a) => a.endsAt)).toEqual([null, null]);
    expect(n.alerts[1]!.links).toEqual([
      { text: "Dashboard", url: "https://play.grafana.org/d/abc123/memory" },
      { text: "Panel", url: "https://play.grafana.org/d/abc123/memory?viewPanel=2" },
      { text: "Silence in Grafana", url: expect.stringContaining("/alerting/silence/new") },
    ]);
    // Empty URLs are no links.
    expect(n.alerts[0]!.links!.map((l) => l.text)).toEqual(["Silence in Grafana"]);
    expect(summarizeAlertGroup(n).title).toBe("[FIRING:2] High memory usage");
    expect(mergeAlertStates(new Map(), n).changes.added).toHaveLength(2);
  });

  it("refuses a body that is not Grafana's, naming the field", () => {
    expect(message(() => parseGrafanaWebhook({ ...fixture, orgId: "one" }))).toBe(
      "Grafana webhook rejected: orgId: expected number, got string",
    );
    const alerts = fixture.alerts as Record<string, unknown>[];
    expect(
      message(() => parseGrafanaWebhook({ ...fixture, alerts: [{ ...alerts[0], values: { B: "high" } }] })),
    ).toBe("Grafana webhook rejected: alerts[0].values.B: expected number, got string");
  });
});
