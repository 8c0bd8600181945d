import { describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { hostileIncident } from "../support/incidents.js";
import { renderIncidentSummary } from "../../src/slack/views/incident-summary.js";

const config = parseFirebreakConfig("");
const base: Incident = hostileIncident();

function mrkdwnTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnTexts);
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    if (o.type === "mrkdwn" && typeof o.text === "string") return [o.text];
    return Object.values(o).flatMap(mrkdwnTexts);
  }
  return [];
}

describe("the pinned incident summary", () => {
  it("escapes user text so it cannot ping the channel or forge links", () => {
    const { blocks, text } = renderIncidentSummary(base, config, new Date("2026-11-21T10:05:00Z"));
    // Slack parses mentions and links in mrkdwn only (the header is plain_text, shown literally).
    const json = JSON.stringify(mrkdwnTexts(blocks));
    expect(json).not.toContain("<!channel>");
    expect(json).not.toContain("<!here>");
    expect(json).not.toContain("<https://evil");
    expect(json).toContain("&lt;!here&gt;");
    expect(text).toContain("&lt;!channel&gt;");
  });

  it("shows the response target and the time left", () => {
    const json = JSON.stringify(renderIncidentSummary(base, config, new Date("2026-11-21T10:05:00Z")).blocks);
    expect(json).toContain("15m — 10m left");
  });

  it("says when the response target was breached", () => {
    const json = JSON.stringify(renderIncidentSummary(base, config, new Date("2026-11-21T10:20:00Z")).blocks);
    expect(json).toContain("*breached* 5m ago");
  });

  it("offers Acknowledge only until someone acknowledges, and no controls but notes once resolved", () => {
    const ids = (i: Incident) =>
      renderIncidentSummary(i, config, new Date())
        .blocks.filter((b) => b.type === "actions")
        .flatMap((b) => ((b.elements as { action_id?: string }[] | undefined) ?? []).map((e) => e.action_id));
    expect(ids(base)).toEqual(["incident.ack", "incident.resolve", "incident.severity", "incident.add_note"]);
    expect(ids({ ...base, state: "acknowledged" })).toEqual([
      "incident.resolve",
      "incident.severity",
      "incident.add_note",
    ]);
    expect(ids({ ...base, state: "resolved" })).toEqual(["incident.add_note"]);
  });

  it("stays within Block Kit limits with a huge title and checklist", () => {
    const big = {
      ...base,
      title: "t".repeat(200),
      description: "d".repeat(5000),
      checklist: Array.from({ length: 80 }, (_, i) => ({ id: i + 1, text: "x".repeat(200) })),
    };
    const { blocks } = renderIncidentSummary(big, config, new Date());
    expect(blocks.length).toBeLessThanOrEqual(50);
    const header = blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const b of blocks) {
      const t = (b as { text?: { text: string } }).text?.text;
      if (t) expect(t.length).toBeLessThanOrEqual(3000);
    }
  });
});
