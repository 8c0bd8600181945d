import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { seedHistory } from "../support/insights-history.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const NOW = new Date("2026-03-18T12:00:00.000Z");
let h: Harness;
let id: number;

const get = (path: string) => fetch(`${h.url}${path}`);
const tick = (number: number, done: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}/incidents/${id}/follow-ups/${number}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: `done=${done}`,
  });
const rows = (body: string) =>
  [...body.matchAll(/<tr data-kind="([^"]+)"[^>]*data-tags="([^"]*)"/g)].map((m) => ({
    kind: m[1]!,
    tags: m[2]!,
  }));

beforeAll(async () => {
  h = await startHarness({
    clock: { now: () => NOW },
    configYaml: `timezone: Europe/Berlin\n${TEST_CONFIG_YAML}`,
  });
  [id] = (await seedHistory(h.db.pool, NOW, [
    {
      week: 0,
      day: 1,
      hour: 3,
      severity: "P0",
      title: "Orders database out of connections",
      declaredBy: "alertmanager",
      alert: {
        groupKey: '{}:{alertname="MySQLTooManyConnections"}',
        labels: { alertname: "MySQLTooManyConnections" },
        alerts: 1,
        clearAfterMin: 40,
      },
      pages: [
        { user: "U0BOB", afterMin: 0 },
        { user: "U0CAROL", afterMin: 15, step: 1 },
      ],
      breached: true,
      ack: { afterMin: 18, by: "U0CAROL" },
      runs: [
        {
          command: "mysql-kill-connection",
          by: "U0CAROL",
          afterMin: 20,
          state: "succeeded",
          approvedBy: "U0BOB",
        },
      ],
      resolve: { afterMin: 45, by: "U0CAROL", summary: "killed the runaway batch job" },
      followUps: [{ text: "Cap the batch job's connection pool", by: "U0CAROL" }],
    },
  ])) as [number];
  // The first look queues the profile lookups; the worker answers them through the outbox.
  await get(`/incidents/${id}`);
  await eventually(async () => {
    const r = await h.db.pool.query("SELECT count(*) AS n FROM slack_profiles WHERE name IS NOT NULL");
    return Number(r.rows[0].n) >= 2;
  }, "people's names fetched from Slack");
});
afterAll(async () => {
  await h?.stop();
});

describe("an incident page fit for a review", () => {
  it("names people and tells each event in a sentence, in the config's time zone", async () => {
    const body = await (await get(`/incidents/${id}`)).text();
    expect(body).toContain("Paged Bob Baker (step 1 of 3, policy default)");
    expect(body).toContain("Escalated to step 2: nobody acknowledged within 15m, paging Carol Chen");
    expect(body).toContain(
      "Carol Chen ran mysql-kill-connection on orders-db, approved by Bob Baker: succeeded",
    );
    expect(body).toContain("Missed the P0 response target: not acknowledged within 15m");
    expect(body).toContain("<th>time (Europe/Berlin)</th>");
    expect(body).not.toMatch(/<td[^>]*>\s*U0CAROL\s*<\/td>/);
    const md = await (await get(`/incidents/${id}/timeline.md`)).text();
    expect(md).toContain("| firebreak | Paged Bob Baker (step 1 of 3, policy default) | page.sent |");
  });

  it("keeps the raw data one click away and the full hash on hover and copy", async () => {
    const body = await (await get(`/incidents/${id}`)).text();
    expect(body).toMatch(/<details class="raw">\s*<summary>raw<\/summary>/);
    expect(body).toContain("&quot;kind&quot;: &quot;page.sent&quot;");
    const events = await listTimeline(h.db.pool, id);
    const last = events.at(-1)!;
    expect(body).toMatch(new RegExp(`<td class="mono hash" title="${last.hash}">\\s*${last.hash}\\s*</td>`));
    expect(body).toContain("@media print");
  });

  it("filters the timeline by people's actions, alerts, pages, runs and Slack messages", async () => {
    const all = rows(await (await get(`/incidents/${id}`)).text());
    for (const tag of ["people", "alerts", "pages", "runs"]) {
      const shown = rows(await (await get(`/incidents/${id}?show=${tag}`)).text());
      expect(shown.length, tag).toBeGreaterThan(0);
      expect(
        shown.every((r) => r.tags.split(" ").includes(tag)),
        tag,
      ).toBe(true);
      expect(shown.length, tag).toBe(all.filter((r) => r.tags.split(" ").includes(tag)).length);
    }
    expect(rows(await (await get(`/incidents/${id}?show=pages`)).text()).map((r) => r.kind)).toContain(
      "page.sent",
    );
    const body = await (await get(`/incidents/${id}?show=bogus`)).text();
    expect(rows(body)).toHaveLength(all.length);
    expect(body).toMatch(/Audit chain verified: \d+ events/);
  });

  it("opens the postmortem draft with a summary paragraph and a follow-ups section", async () => {
    const body = await (await get(`/incidents/${id}`)).text();
    expect(body).toMatch(
      /<p class="summary" id="postmortem-summary">\s*On Tuesday 17 March 2026 at 04:00 \(Europe\/Berlin\), Alertmanager opened a P0 incident/,
    );
    expect(body).toContain("Carol Chen acknowledged it after 18m.");
    expect(body).toContain("The P0 response target of 15m was missed.");
    const md = await (await get(`/incidents/${id}/postmortem.md`)).text();
    expect(md).toContain("- [ ] 1. Cap the batch job's connection pool (added by Carol Chen)");
  });
});

describe("ticking follow-ups off on the page", () => {
  it("refuses a form posted from another site, and changes nothing", async () => {
    expect((await tick(1, "1", { origin: "http://evil.example" })).status).toBe(403);
    expect((await tick(1, "1", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    const r = await h.db.pool.query("SELECT done_at FROM follow_ups WHERE incident_id = $1", [id]);
    expect(r.rows[0].done_at).toBeNull();
  });

  it("says what to send for a bad value or an unknown follow-up", async () => {
    const bad = await tick(1, "maybe");
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("done:");
    expect((await tick(9, "1")).status).toBe(404);
  });

  it("ticks one off, records it in the timeline once, and shows who did it", async () => {
    const res = await tick(1, "1", { origin: h.url });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/incidents/${id}#follow-ups`);
    expect((await tick(1, "1", { origin: h.url })).status).toBe(303);
    const done = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "followup.done");
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ actor: "web:local", data: { number: 1, via: "web" } });
    const body = await (await get(`/incidents/${id}`)).text();
    expect(body).toMatch(/<li class="done" data-follow-up="1">/);
    expect(body).toContain("local (web) ticked off follow-up 1: Cap the batch job&#39;s connection pool");
    const md = await (await get(`/incidents/${id}/postmortem.md`)).text();
    expect(md).toContain(
      "- [x] 1. Cap the batch job's connection pool (added by Carol Chen; done, ticked by local (web))",
    );
  });

  it("reopens it", async () => {
    expect((await tick(1, "0")).status).toBe(303);
    expect((await listTimeline(h.db.pool, id)).at(-1)).toMatchObject({
      kind: "followup.reopened",
      actor: "web:local",
    });
  });
});
