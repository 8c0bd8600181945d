import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { adminUrl } from "../support/db-names.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await setConnections(true);
  await h?.stop();
});

async function setConnections(allowed: boolean) {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`ALTER DATABASE ${h.db.name} WITH ALLOW_CONNECTIONS ${allowed}`);
    if (!allowed)
      await admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
        [h.db.name],
      );
  } finally {
    await admin.end();
  }
}

describe("when Postgres is down", () => {
  it("tells the user nothing changed, and works again once Postgres is back", async () => {
    await h.sender.slashCommand({
      command: "/incident",
      text: "declare P1 Before the outage",
      userId: "U0CAROL",
      channelId: "C0INCIDENTS",
    });
    const incident = await eventually(async () => {
      const [latest] = await listIncidents(h.db.pool);
      return latest?.channelId ? latest : null;
    }, "incident with channel");
    await setConnections(false);
    const res = await h.sender.slashCommand({
      command: "/incident",
      text: "ack",
      userId: "U0CAROL",
      channelId: incident.channelId!,
    });
    expect(res.status).toBe(200); // acked at once: Slack must not show the user a timeout
    const reply = await eventually(
      () => h.emulator.ephemerals("U0CAROL").find((m) => m.text.includes("could not record")),
      "unavailable reply",
    );
    expect(reply.text).toMatch(/nothing changed/);
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(503);
    await setConnections(true);
    await h.sender.slashCommand({
      command: "/incident",
      text: "ack",
      userId: "U0CAROL",
      channelId: incident.channelId!,
    });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id).catch(() => null))?.state === "acknowledged",
      "acknowledged after recovery",
    );
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
  });
});
