import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { toAlertNotification } from "../../src/alerts/notification.js";
import { parseAlertmanagerWebhook } from "../../src/alerts/alertmanager-payload.js";
import { safeHttpUrl } from "../../src/core/alerts/safe-url.js";
import { stormDecision } from "../../src/core/alerts/storm.js";
import { MAX_TITLE_LENGTH, summarizeAlertGroup } from "../../src/core/alerts/summary.js";
import type { AlertNotification } from "../../src/core/alerts/types.js";
import { FirebreakError } from "../../src/core/errors.js";
import { escapeMrkdwn } from "../../src/core/mrkdwn.js";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/alertmanager");

function notification(name: string): AlertNotification {
  const captured = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as { body: unknown };
  return toAlertNotification(parseAlertmanagerWebhook(captured.body), new Date("2026-11-21T10:22:00Z"));
}

describe("summarising an alert group", () => {
  it("titles a firing group like Alertmanager does, by its group labels", () => {
    const s = summarizeAlertGroup(notification("firing-single-critical"));
    expect(s.title).toBe("[FIRING:1] MySQLTooManyConnections ecommerce");
    expect(s.headline).toBe("Threads_connected at 95% of max_connections");
    expect(s.runbookUrl).toBe("https://runbooks.example.com/mysql-connections");
  });

  it("marks the count as partial when Alertmanager truncated the list", () => {
    const s = summarizeAlertGroup(notification("firing-group-truncated"));
    expect(s.title).toBe("[FIRING:5+] PodCrashLooping ecommerce");
    expect(s).toMatchObject({ firing: 5, resolved: 0, truncated: 2 });
  });

  it("titles a resolved group without a count", () => {
    const s = summarizeAlertGroup(notification("resolved-single"));
    expect(s.title).toBe("[RESOLVED] MySQLTooManyConnections ecommerce");
    expect(s.resolved).toBe(1);
  });

  it("uses the alertname when the route groups by nothing", () => {
    const n = { ...notification("firing-single-critical"), groupLabels: {} };
    expect(summarizeAlertGroup(n).title).toBe("[FIRING:1] MySQLTooManyConnections");
  });

  it("fits the title into a Block Kit header", () => {
    const n = { ...notification("firing-single-critical"), groupLabels: { alertname: "X".repeat(500) } };
    expect(summarizeAlertGroup(n).title.length).toBe(MAX_TITLE_LENGTH);
  });

  it("drops a runbook link that is not http(s)", () => {
    const n = {
      ...notification("firing-single-critical"),
      commonAnnotations: { runbook_url: "javascript:alert(1)" },
    };
    expect(summarizeAlertGroup(n).runbookUrl).toBeUndefined();
  });

  it("leaves alert text raw, for escapeMrkdwn to neutralise before it reaches Slack", () => {
    const s = summarizeAlertGroup(notification("firing-group-truncated"));
    expect(s.headline).toBe("Pod ecommerce-app-7d9f8-1 is crash looping <script>alert(1)</script>");
    expect(escapeMrkdwn(s.headline!)).toBe(
      "Pod ecommerce-app-7d9f8-1 is crash looping &lt;script&gt;alert(1)&lt;/script&gt;",
    );
    expect(escapeMrkdwn("<!channel> <@U123> a&b")).toBe("&lt;!channel&gt; &lt;@U123&gt; a&amp;b");
  });
});

describe("accepting only safe links from alert rules", () => {
  it.each([
    ["https://runbooks.example.com/mysql", "https://runbooks.example.com/mysql"],
    ["http://prometheus:9090/graph?g0.expr=up", "http://prometheus:9090/graph?g0.expr=up"],
    ["  https://example.com/a  ", "https://example.com/a"],
  ])("keeps %s", (url, expected) => {
    expect(safeHttpUrl(url)).toBe(expected);
  });

  it.each([
    "javascript:alert(1)",
    "file:///etc/passwd",
    "slack://channel?id=C1",
    "data:text/html,<script>",
    "/relative/path",
    "",
    undefined,
    "https://trusted.example.com@evil.example/",
    "https://user:pass@example.com/",
    `https://example.com/${"a".repeat(3000)}`,
  ])("drops %j", (url) => {
    expect(safeHttpUrl(url)).toBeUndefined();
  });

  it("encodes what would break Slack's <url|label> syntax", () => {
    const url = safeHttpUrl("https://example.com/q?a=|b&c=<d>");
    expect(url).toBeDefined();
    expect(url).not.toMatch(/[<>|]/);
  });
});

describe("deciding whether a new alert group is part of a storm", () => {
  const now = new Date("2026-11-21T10:00:00Z");
  const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

  it("opens a channel while fewer than the threshold opened in the last minute", () => {
    expect(stormDecision([], now, 3)).toBe("open");
    expect(stormDecision([secondsAgo(1), secondsAgo(59)], now, 3)).toBe("open");
  });

  it("calls a storm once the threshold opened in the last minute", () => {
    expect(stormDecision([secondsAgo(1), secondsAgo(30), secondsAgo(59)], now, 3)).toBe("storm");
  });

  it("forgets groups older than a minute", () => {
    expect(stormDecision([secondsAgo(60), secondsAgo(61), secondsAgo(3600)], now, 1)).toBe("open");
  });

  it("counts times slightly in the future (another replica's clock) as recent", () => {
    expect(stormDecision([new Date(now.getTime() + 2000)], now, 1)).toBe("storm");
  });

  it.each([0, -1, 1.5, Number.NaN])("refuses a threshold of %s", (threshold) => {
    expect(() => stormDecision([], now, threshold)).toThrow(FirebreakError);
  });
});
