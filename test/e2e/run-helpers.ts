import { expect } from "vitest";
import { getRun } from "../../src/store/runs/runs.js";
import type { Run } from "../../src/store/runs/runs.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import type { TimelineEvent } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

/** The harness roles (alice admin, bob commander, carol responder, dave nobody) plus targets. */
export const runConfig = (targetsYaml: string) => `${TEST_CONFIG_YAML}\n${targetsYaml}`;

/** Declares an incident as `userId` and waits for its channel and pinned summary. */
export async function declareIncident(h: Harness, title: string, userId = "U0CAROL"): Promise<Incident> {
  const before = (await listIncidents(h.db.pool)).length;
  const res = await h.sender.slashCommand({
    command: "/incident",
    text: `declare ${title}`,
    userId,
    channelId: "C0INCIDENTS",
  });
  expect(res.status).toBe(200);
  const created = await eventually(async () => {
    const all = await listIncidents(h.db.pool);
    return all.length > before ? all[0] : null;
  }, "incident stored");
  return eventually(async () => {
    const i = await getIncident(h.db.pool, created.id);
    return i?.summaryTs ? i : null;
  }, "summary posted");
}

/** Sends `/run <text>` as a user in a channel. */
export async function slashRun(h: Harness, text: string, userId: string, channelId: string) {
  const res = await h.sender.slashCommand({ command: "/run", text, userId, channelId });
  expect(res.status).toBe(200);
  return res;
}

/** The newest ephemeral reply a user got that matches. */
export function ephemeralFor(h: Harness, userId: string, match: RegExp | string, what = "ephemeral reply") {
  return eventually(
    () =>
      h.emulator
        .ephemerals(userId)
        .reverse()
        .find((m) => (typeof match === "string" ? m.text.includes(match) : match.test(m.text))),
    what,
  );
}

/** The newest run in the database. */
export async function latestRun(h: Harness): Promise<Run | null> {
  const res = await h.db.pool.query<{ id: string }>("SELECT id FROM runs ORDER BY id DESC LIMIT 1");
  return res.rows[0] ? getRun(h.db.pool, Number(res.rows[0].id)) : null;
}

/** Waits until a run reaches one of `states`. */
export function runInState(h: Harness, id: number, states: string[]): Promise<Run> {
  return eventually(
    async () => {
      const r = await getRun(h.db.pool, id);
      return r && states.includes(r.state) ? r : null;
    },
    `run #${id} ${states.join("/")}`,
  );
}

/** The bot message in a channel whose blocks mention `needle`. */
export function botMessage(h: Harness, channelId: string, needle: string, what = needle) {
  return eventually(
    () =>
      h.emulator
        .messages(channelId)
        .filter((m) => m.bot_id)
        .reverse()
        .find((m) => JSON.stringify(m.blocks ?? m.text).includes(needle)),
    what,
  );
}

/** Clicks Approve or Deny on a run's approval message. */
export async function clickDecision(h: Harness, run: Run, userId: string, decision: "approve" | "deny") {
  const message = await botMessage(h, run.channelId!, `run #${run.id}`, `approval message of run #${run.id}`);
  const res = await h.sender.clickButton({
    userId,
    channelId: run.channelId!,
    messageTs: message.ts,
    actionId: `run.${decision}`,
    value: String(run.id),
  });
  expect(res.status).toBe(200);
  return res;
}

/** Event kinds of a chain, in order. */
export async function kinds(h: Harness, chain: number): Promise<string[]> {
  return (await listTimeline(h.db.pool, chain)).map((e) => e.kind);
}

/** Events of a chain of one kind. */
export async function eventsOf(h: Harness, chain: number, kind: string): Promise<TimelineEvent[]> {
  return (await listTimeline(h.db.pool, chain)).filter((e) => e.kind === kind);
}

/** Sends `/run <text>` and returns the run it created (waits for it to be recorded). */
export async function requestRun(h: Harness, text: string, userId: string, channelId: string): Promise<Run> {
  const before = (await latestRun(h))?.id ?? 0;
  await slashRun(h, text, userId, channelId);
  return eventually(async () => {
    const r = await latestRun(h);
    return r && r.id > before ? r : null;
  }, `a run for /run ${text}`);
}
