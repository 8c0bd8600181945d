import { describe, expect, it } from "vitest";
import { blockIssues } from "../../src/emulator/slack/block-kit-limits.js";
import { BUNDLE_SHOWN, pageBundleDm, pageBundleLine } from "../../src/slack/views/page-message.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { hostileIncident } from "../support/incidents.js";

const BASE_INCIDENT: Incident = hostileIncident();

const page = (id: number) => {
  const incident: Incident = {
    ...BASE_INCIDENT,
    id,
    title: `Shard ${id} <!channel> is down ${"x".repeat(180)}`,
  };
  const line = pageBundleLine(incident, {
    kind: "escalation",
    policy: "default",
    step: 0,
    steps: 2,
    repeat: 0,
    ackTimeoutMs: 900_000,
  });
  return { incidentId: id, line };
};

describe("a bundled page DM", () => {
  it("is a message Slack accepts for any number of pages, with an Acknowledge for each shown and Acknowledge all for every one", () => {
    for (const n of [2, BUNDLE_SHOWN, BUNDLE_SHOWN + 1, 40, 400]) {
      const pages = Array.from({ length: n }, (_, i) => page(1000 + i));
      const dm = pageBundleDm(pages);
      expect(blockIssues(dm.blocks, "message"), `${n} pages`).toEqual([]);
      const elements = (
        dm.blocks as {
          elements?: { action_id: string; value: string }[];
          accessory?: { action_id: string; value: string };
        }[]
      ).flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]);
      const acks = elements.filter((e) => e.action_id === "incident.ack").map((e) => Number(e.value));
      expect(acks).toEqual(pages.slice(0, BUNDLE_SHOWN).map((p) => p.incidentId));
      const all = elements.find((e) => e.action_id === "incident.ack_all")!;
      const covered = all.value.split(",").map(Number);
      // Whole ids only, within a button value's 2,000 characters, in order.
      expect(all.value.length).toBeLessThanOrEqual(2000);
      expect(covered).toEqual(pages.slice(0, covered.length).map((p) => p.incidentId));
      if (n <= 100) expect(covered.length).toBe(n);
      expect(dm.text).toContain(`You are paged for ${n} incidents`);
      // The untrusted title never renders as markup.
      expect(JSON.stringify(dm.blocks)).not.toContain("<!channel>");
    }
  });
});
