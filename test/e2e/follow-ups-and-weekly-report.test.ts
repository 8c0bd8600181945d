import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { seedHistory } from "../support/insights-history.js";
import type { SeedIncident } from "../support/insights-history.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

// Monday 09:00:30 UTC: the report of the week of March 9th is due.
const NOW = new Date("2026-03-16T09:00:30.000Z");
const PUBLIC_URL = "https://firebreak.example.com";
const CONFIG = `timezone: UTC
${TEST_CONFIG_YAML}
weekly_report:
  channel: C0INCIDENTS
jobs:
  weekly_report: 1h
`;

let h: Harness;
let second: Runtime;

const incident = (over: Partial<SeedIncident>): SeedIncident => ({
  week: 1,
  day: 2,
  hour: 10,
  severity: "P2",
  title: "Checkout is slow",
  declaredBy: "U0CAROL",
  ack: { afterMin: 10, by: "U0BOB" },
  resolve: { afterMin: 70, by: "U0BOB" },
  ...over,
});

// Last week: three incidents (MTTA 10m, 20m, 30m: 20m); the week before: one (MTTA 50m).
const HISTORY: SeedIncident[] = [
  incident({ severity: "P1", pages: [{ user: "U0BOB", afterMin: 0 }] }),
  incident({
    day: 3,
    hour: 2,
    ack: { afterMin: 20, by: "U0BOB" },
    pages: [{ user: "U0BOB", afterMin: 0 }],
    breached: true,
  }),
  incident({
    day: 4,
    declaredBy: "alertmanager",
    title: "DiskPressure in storage",
    ack: { afterMin: 30, by: "U0CAROL" },
    alert: {
      groupKey: '{}:{alertname="DiskPressure"}',
      labels: { alertname: "DiskPressure" },
      alerts: 4,
      clearAfterMin: 5,
    },
    followUps: [{ text: "Alert on disk usage trend", by: "U0CAROL" }],
  }),
  incident({ week: 2, ack: { afterMin: 50, by: "U0BOB" } }),
];

const slash = (text: string, userId: string, channelId: string) =>
  h.sender.slashCommand({ command: "/incident", text, userId, channelId });
const reportsIn = (channel: string) =>
  h.emulator.messages(channel).filter((m) => m.text.startsWith("Weekly on-call report"));
const flat = (m: { blocks?: unknown[] }) => JSON.stringify(m.blocks ?? []);

beforeAll(async () => {
  h = await startHarness({
    clock: { now: () => NOW },
    configYaml: CONFIG,
    env: { FIREBREAK_PUBLIC_URL: PUBLIC_URL },
  });
  await seedHistory(h.db.pool, NOW, HISTORY);
  // A second worker on the same database, as a deployment with two replicas has.
  const env = readEnvOptions({
    SLACK_BOT_TOKEN: h.emulator.botToken,
    SLACK_SIGNING_SECRET: h.signingSecret,
    SLACK_API_URL: h.emulator.apiUrl,
    DATABASE_URL: h.db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    FIREBREAK_PUBLIC_URL: PUBLIC_URL,
  });
  second = await createRuntime({
    env,
    config: parseFirebreakConfig(CONFIG),
    logger: createLogger(env.logLevel),
    role: "worker",
    clock: { now: () => NOW },
  });
  await second.start();
});

afterAll(async () => {
  await second?.stop();
  await h?.stop();
});

describe("the weekly report", () => {
  it("is sent once for the week, however many workers check at once", async () => {
    const job = (r: Runtime) =>
      r.jobs.find((j) => j.name === "weekly-report") as unknown as { runOnce(): Promise<void> };
    await Promise.all([...Array(3)].flatMap(() => [job(h.runtime).runOnce(), job(second).runOnce()]));
    await h.runtime.drainer.drainOnce();
    const sent = await eventually(
      () => (reportsIn("C0INCIDENTS").length ? reportsIn("C0INCIDENTS") : null),
      "the report in the channel",
    );
    expect(sent).toHaveLength(1);
    const rows = await h.db.pool.query("SELECT week_start::text AS week, channel FROM weekly_reports");
    expect(rows.rows).toEqual([{ week: "2026-03-09", channel: "C0INCIDENTS" }]);
  });

  it("says what the week held: incidents by severity, MTTA against the week before, breaches, noise, load, what is still due", () => {
    const [report] = reportsIn("C0INCIDENTS");
    const blocks = flat(report!);
    expect(blocks).toContain("Weekly on-call report · Mar 9 – Mar 15");
    expect(blocks).toContain("*Incidents*\\n3 (P1 1 · P2 2)");
    expect(blocks).toContain("*Response targets missed*\\n1");
    expect(blocks).toContain("20m (:arrow_down_small: 30m faster than the week before's 50m)");
    expect(blocks).toContain("DiskPressure: fired 4, 4 resolved on their own, median 5m");
    expect(blocks).toMatch(/U0BOB: 2 pages, 1 at night|Bob Baker: 2 pages, 1 at night/);
    expect(blocks).toContain("*Postmortems still due*: 4");
    expect(blocks).toContain("*Open follow-ups*: 1");
    expect(blocks).toContain(`<${PUBLIC_URL}/insights?from=2026-03-09&to=2026-03-15|Insights>`);
  });

  it("is shown on demand with /incident report, only to the one who asked", async () => {
    const res = await slash("report", "U0DAVE", "C0INCIDENTS");
    expect(res.status).toBe(200);
    const reply = await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.startsWith("Weekly on-call report")),
      "the report, ephemeral",
    );
    expect(flat(reply)).toContain("Mar 9 – Mar 15");
    expect(reportsIn("C0INCIDENTS")).toHaveLength(1);
    await slash("report 2026-W10", "U0DAVE", "C0INCIDENTS");
    const earlier = await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.includes("2026-03-02 to 2026-03-08")),
      "the report of ISO week 10",
    );
    expect(flat(earlier)).toContain("*Incidents*\\n1 (P2 1)");
  });

  it("refuses a week it cannot read, at once and changing nothing", async () => {
    const res = await slash("report someday", "U0DAVE", "C0INCIDENTS");
    expect(res.ackMessage?.text).toContain('"someday" is not a week');
    const future = await slash("report 2026-12-01", "U0DAVE", "C0INCIDENTS");
    expect(future.ackMessage?.text).toContain("has not started yet");
  });
});

describe("follow-ups from Slack", () => {
  let id: number;
  let channel: string;

  beforeAll(async () => {
    const before = (await listIncidents(h.db.pool)).length;
    await slash("declare P2 Orders backlog", "U0CAROL", "C0INCIDENTS");
    const created = await eventually(async () => {
      const all = await listIncidents(h.db.pool);
      return all.length > before ? all[0] : null;
    }, "incident declared");
    const ready = await eventually(
      async () =>
        (await getIncident(h.db.pool, created.id))?.channelId ? getIncident(h.db.pool, created.id) : null,
      "its channel",
    );
    id = ready.id;
    channel = ready.channelId!;
  });

  it("adds one with /incident followup: stored, recorded, and posted in the channel with a button", async () => {
    expect(
      (await slash("followup Cap the batch job's pool at 20 <!channel>", "U0CAROL", channel)).status,
    ).toBe(200);
    const message = await eventually(
      () => h.emulator.messages(channel).find((m) => m.text.startsWith(`Follow-up 1 of incident #${id}`)),
      "the follow-up's message",
    );
    expect(flat(message)).toContain('"action_id":"incident.follow_up"');
    expect(flat(message)).toContain("&lt;!channel&gt;");
    // Slack has the message a moment before the drainer commits its ts with the follow-up.
    const rows = await eventually(async () => {
      const r = await h.db.pool.query(
        "SELECT number, text, created_by, message_ts FROM follow_ups WHERE incident_id = $1",
        [id],
      );
      return r.rows[0]?.message_ts ? r : null;
    }, "the message's ts stored with the follow-up");
    expect(rows.rows).toEqual([
      {
        number: 1,
        text: "Cap the batch job's pool at 20 <!channel>",
        created_by: "U0CAROL",
        message_ts: message.ts,
      },
    ]);
    expect((await listTimeline(h.db.pool, id)).find((e) => e.kind === "followup.added")).toMatchObject({
      actor: "U0CAROL",
      data: { number: 1, via: "slash" },
    });
  });

  it("says what to type when the text is missing", async () => {
    const res = await slash("followup", "U0CAROL", channel);
    expect(res.ackMessage?.text).toContain("Say what needs doing");
  });

  it("ticks it off with the button: once, recorded, and the message edited in place", async () => {
    const message = h.emulator
      .messages(channel)
      .find((m) => m.text.startsWith(`Follow-up 1 of incident #${id}`))!;
    const click = () =>
      h.sender.clickButton({
        userId: "U0BOB",
        channelId: channel,
        messageTs: message.ts,
        actionId: "incident.follow_up",
      });
    await Promise.all([click(), click()]);
    await eventually(async () => {
      const r = await h.db.pool.query("SELECT done_by FROM follow_ups WHERE incident_id = $1", [id]);
      return r.rows[0]?.done_by === "U0BOB";
    }, "ticked off");
    await h.runtime.drainer.drainOnce();
    const edited = await eventually(() => {
      const m = h.emulator.messages(channel).find((x) => x.ts === message.ts);
      return m && flat(m).includes("Reopen") ? m : null;
    }, "the message edited");
    expect(edited.text).toContain("(done)");
    const done = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "followup.done");
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ actor: "U0BOB", data: { via: "button", number: 1 } });
  });

  it("lists them with /incident followups, only to the one who asked", async () => {
    await slash("followups", "U0DAVE", channel);
    const list = await eventually(
      () => h.emulator.ephemerals("U0DAVE").find((m) => m.text.startsWith(`Follow-ups of incident #${id}`)),
      "the list",
    );
    expect(list.text).toContain("0 open, 1 done");
  });
});
