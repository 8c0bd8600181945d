import { describe, expect, it } from "vitest";
import { renderAlertGroupBlocks, renderStormBlocks } from "../../src/slack/views/alert-summary.js";
import type { AlertGroupView, AlertLine } from "../../src/slack/views/alert-summary.js";

const line = (i: number, over: Partial<AlertLine> = {}): AlertLine => ({
  status: "firing",
  labels: { alertname: "DiskFull", namespace: "shop", pod: `pod-${i}` },
  annotations: { summary: `disk ${i} full` },
  generatorUrl: "",
  startsAt: new Date("2026-11-21T10:00:00Z"),
  ...over,
});
const view = (over: Partial<AlertGroupView> = {}): AlertGroupView => ({
  incidentId: 4,
  groupLabels: { alertname: "DiskFull", namespace: "shop" },
  commonLabels: { alertname: "DiskFull", namespace: "shop" },
  firing: 1,
  resolved: 0,
  truncatedAlerts: 0,
  alerts: [line(1)],
  escalationPolicy: null,
  silence: null,
  silenceDurations: [],
  ...over,
});
const texts = (blocks: unknown[]) => JSON.stringify(blocks);
const sectionTexts = (blocks: Record<string, unknown>[]) =>
  blocks.flatMap((b) => {
    const t = (b.text as { text?: string } | undefined)?.text;
    return t ? [t] : [];
  });

describe("the alert part of an incident's summary", () => {
  it("shows counts and the alerts, escaping labels and annotations", () => {
    const blocks = renderAlertGroupBlocks(
      view({
        alerts: [
          line(1, { labels: { alertname: "<!channel>", pod: "<@U1>" }, annotations: { summary: "a & <b>" } }),
        ],
      }),
    );
    const all = sectionTexts(blocks).join("\n");
    expect(all).toContain("1 firing");
    expect(all).toContain("&lt;!channel&gt;");
    expect(all).toContain("a &amp; &lt;b&gt;");
    expect(all).not.toMatch(/<!channel>|<@U1>|<b>/);
  });

  it("links runbook_url and generatorURL only when they are http(s)", () => {
    const safe = texts(
      renderAlertGroupBlocks(
        view({
          alerts: [
            line(1, {
              annotations: { runbook_url: "https://runbooks.example.com/disk" },
              generatorUrl: "http://prom:9090/graph?g0.expr=x",
            }),
          ],
        }),
      ),
    );
    expect(safe).toContain("<https://runbooks.example.com/disk|runbook>");
    expect(safe).toContain("<http://prom:9090/graph?g0.expr=x|source>");
    const unsafe = texts(
      renderAlertGroupBlocks(
        view({
          alerts: [
            line(1, {
              annotations: { runbook_url: "javascript:alert(1)" },
              generatorUrl: "https://trusted@evil.example/",
            }),
          ],
        }),
      ),
    );
    expect(unsafe).not.toContain("javascript:");
    expect(unsafe).not.toContain("evil.example");
  });

  it("stays within Block Kit limits for a thousand long alerts and says how many are not shown", () => {
    const alerts = Array.from({ length: 1000 }, (_, i) =>
      line(i, { labels: { alertname: "DiskFull", pod: `pod-${i}`, detail: "x".repeat(500) } }),
    );
    const blocks = renderAlertGroupBlocks(view({ firing: 1000, alerts, truncatedAlerts: 25 }));
    expect(blocks.length).toBeLessThanOrEqual(3);
    for (const t of sectionTexts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    const all = texts(blocks);
    expect(all).toMatch(/\d+ more alerts not shown/);
    expect(all).toContain("25 more alerts truncated by Alertmanager");
  });

  it("offers the configured silence durations only when silences are possible", () => {
    expect(texts(renderAlertGroupBlocks(view()))).not.toContain("alert.silence");
    const blocks = renderAlertGroupBlocks(view({ silenceDurations: ["1h", "4h"] }));
    const accessory = (blocks[0] as { accessory?: { action_id: string; options: { value: string }[] } })
      .accessory!;
    expect(accessory.action_id).toBe("alert.silence");
    expect(accessory.options.map((o) => o.value)).toEqual(["4:1h", "4:4h"]);
  });

  it("lists the groups of a storm within limits", () => {
    const members = Array.from({ length: 500 }, (_, i) => ({
      groupLabels: { alertname: `Storm${i}`, namespace: "shop" },
      commonLabels: {},
      status: "firing" as const,
      firing: 40,
      resolved: 0,
      truncatedAlerts: 0,
    }));
    const blocks = renderStormBlocks({ members: members.slice(0, 40), total: 500, firingGroups: 500 });
    for (const t of sectionTexts(blocks)) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts(blocks)).toContain("500 alert groups collected here");
    expect(texts(blocks)).toMatch(/\d+ more groups not shown/);
  });
});
