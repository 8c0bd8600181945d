import { describe, expect, it } from "vitest";
import { incidentChannelName, slugify } from "../../src/core/incident/channel-name.js";

const SLACK_NAME = /^[a-z0-9][a-z0-9_-]{0,79}$/;

describe("incident channel names", () => {
  const declaredAt = new Date("2026-11-21T23:30:00Z");

  it("is inc-YYYYMMDD-N-slug", () => {
    expect(incidentChannelName({ number: 42, title: "Checkout returns 500s!", declaredAt })).toBe(
      "inc-20261121-42-checkout-returns-500s",
    );
  });

  it("dates the channel in the configured zone", () => {
    expect(incidentChannelName({ number: 1, title: "x", declaredAt, timeZone: "Asia/Tokyo" })).toBe(
      "inc-20261122-1-x",
    );
  });

  it("stays a valid Slack name whatever the title", () => {
    for (const title of [
      "<script>alert(1)</script>",
      "Ünïcödé façade — déjà vu",
      "   ",
      "🔥🔥🔥",
      "a".repeat(300),
      "--x--",
    ]) {
      const name = incidentChannelName({ number: 123456, title, declaredAt, attempt: 12 });
      expect(name).toMatch(SLACK_NAME);
      expect(name.length).toBeLessThanOrEqual(80);
    }
  });

  it("adds a suffix on a retry after name_taken, within 80 characters", () => {
    const name = incidentChannelName({ number: 9, title: "b".repeat(200), declaredAt, attempt: 3 });
    expect(name.endsWith("-3")).toBe(true);
    expect(name.length).toBeLessThanOrEqual(80);
  });

  it("folds accents rather than dropping letters", () => {
    expect(slugify("Café Façade")).toBe("cafe-facade");
  });
});
