import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

/**
 * A Slack request Firebreak acknowledged is never lost: it is journaled before the ack
 * (if Postgres cannot take it, it is not acknowledged at all), and work that fails after
 * the ack — Postgres restarting mid-request — is replayed until it lands, once.
 */
let h: Harness;
let channelId: string;
let incidentId: number;

beforeAll(async () => {
  h = await startHarness({ configYaml: `${TEST_CONFIG_YAML}\njobs: { inbound_replay: 1s }\n` });
  await h.sender.slashCommand({
    command: "/incident",
    text: "declare P3 Journal",
    userId: "U0CAROL",
    channelId: "C0INCIDENTS",
  });
  const incident = await eventually(async () => {
    const [i] = await listIncidents(h.db.pool);
    const full = i ? await getIncident(h.db.pool, i.id) : null;
    return full?.summaryTs ? full : null;
  }, "incident channel");
  channelId = incident.channelId!;
  incidentId = incident.id;
});
afterAll(async () => {
  await h?.stop();
});

const notes = async () =>
  (await listTimeline(h.db.pool, incidentId))
    .filter((e) => e.kind === "incident.note")
    .map((e) => String((e.data as { text?: unknown }).text));

/** Makes every insert into `table` fail, as a database that is going away does, until `heal()`. */
async function breakInserts(table: string, when = "true") {
  await h.db.pool.query(`CREATE OR REPLACE FUNCTION fbt_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the database is shutting down' USING ERRCODE = '57P01'; END $$`);
  await h.db.pool.query(
    `CREATE TRIGGER fbt_refuse BEFORE INSERT ON ${table} FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION fbt_refuse()`,
  );
  return async () => void (await h.db.pool.query(`DROP TRIGGER fbt_refuse ON ${table}`));
}

describe("Slack requests and a failing database", () => {
  it("accepts nothing it cannot journal: a command is answered that nothing changed, a click is not acknowledged", async () => {
    const heal = await breakInserts("inbound_journal");
    try {
      const res = await h.sender.slashCommand({
        command: "/incident",
        text: "note never journaled",
        userId: "U0CAROL",
        channelId,
      });
      expect(res.status).toBe(200);
      expect(res.ackMessage?.text).toMatch(/nothing changed/);
      const incident = await getIncident(h.db.pool, incidentId);
      const click = await h.sender.clickButton({
        userId: "U0CAROL",
        actionId: "incident.ack",
        channelId,
        messageTs: incident!.summaryTs!,
      });
      expect(click.status).toBe(500);
    } finally {
      await heal();
    }
    expect((await getIncident(h.db.pool, incidentId))!.state).toBe("declared");
    expect(await notes()).not.toContain("never journaled");
    const res = await h.sender.slashCommand({
      command: "/incident",
      text: "note journaled",
      userId: "U0CAROL",
      channelId,
    });
    expect(res.status).toBe(200);
    await eventually(async () => (await notes()).includes("journaled"), "the note after healing");
  });

  it("applies, once, a command whose work failed after the ack, when the database answers again", async () => {
    const heal = await breakInserts("timeline_events", "NEW.kind = 'incident.note'");
    let res;
    try {
      res = await h.sender.slashCommand({
        command: "/incident",
        text: "note during the restart",
        userId: "U0BOB",
        channelId,
      });
      expect(res.status).toBe(200);
      await eventually(
        () => h.emulator.ephemerals("U0BOB").find((m) => m.text.includes("saved and will be applied")),
        "told it will be applied",
      );
      expect(await notes()).not.toContain("during the restart");
    } finally {
      await heal();
    }
    await eventually(async () => (await notes()).includes("during the restart"), "the replayed note", 20_000);
    // The replayer marks the request done once its work has committed.
    const journal = await eventually(async () => {
      const res = await h.db.pool.query<{ status: string; attempts: number }>(
        "SELECT status, attempts FROM inbound_journal WHERE payload->>'text' = 'note during the restart'",
      );
      return res.rows.every((r) => r.status !== "pending") && res;
    }, "the journal row finished");
    expect(journal.rows).toEqual([{ status: "done", attempts: expect.any(Number) as unknown }]);
    // However often the replayer looks again, the note is there once.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await notes()).filter((t) => t === "during the restart")).toHaveLength(1);
  });
});
