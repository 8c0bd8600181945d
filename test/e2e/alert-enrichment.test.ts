import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURE_TOKEN, webhookBody } from "../fixtures/alertmanager/webhooks.js";
import { listIncidents } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const CONFIG = `${TEST_CONFIG_YAML}
alerts:
  routes:
    - match: { alertname: MySQLTooManyConnections }
      auto_diagnostics: [mysql-connections]
targets:
  mysql:
    orders-db:
      url: "mysql://root@127.0.0.1:3306/test"
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: { ALERTMANAGER_TOKEN: FIXTURE_TOKEN } });
});
afterAll(async () => {
  await h?.stop();
});

describe("alert enrichment", () => {
  it("runs the route's diagnostics when an alert opens an incident and posts the result in its channel", async () => {
    const res = await fetch(`${h.url}/alerts/alertmanager`, {
      method: "POST",
      headers: { authorization: `Bearer ${FIXTURE_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify(
        webhookBody({
          alertname: "MySQLTooManyConnections",
          alerts: [{ pod: "mysql-0", severity: "critical", startsAt: new Date() }],
        }),
      ),
    });
    expect(res.status).toBe(200);
    const incident = await eventually(async () => {
      const [i] = await listIncidents(h.db.pool);
      return i?.channelId ? i : null;
    }, "alert incident with a channel");
    const done = await eventually(
      async () => (await listTimeline(h.db.pool, incident.id)).find((e) => e.kind === "run.succeeded"),
      "auto-diagnostic run",
      20_000,
    );
    expect(done.data).toMatchObject({ command: "mysql-connections" });
    const requested = (await listTimeline(h.db.pool, incident.id)).find((e) => e.kind === "run.requested");
    expect(requested).toMatchObject({
      actor: "alertmanager",
      data: { command: "mysql-connections", via: "alert" },
    });
    await eventually(
      () =>
        h.emulator
          .messages(incident.channelId!)
          .find((m) => JSON.stringify(m.blocks ?? m.text).includes("max_connections")),
      "diagnostic output in the incident channel",
      20_000,
    );
  });
});
