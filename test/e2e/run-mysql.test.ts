import mysql from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import {
  botMessage,
  clickDecision,
  declareIncident,
  ephemeralFor,
  eventsOf,
  kinds,
  latestRun,
  runConfig,
  requestRun,
  runInState,
} from "./run-helpers.js";

const MYSQL_URL = "mysql://root@127.0.0.1:3306/test";
const TARGETS = `
targets:
  mysql:
    orders-db:
      url_env: FBT_ORDERS_MYSQL_URL
      allow_variables:
        max_connect_errors: { min: 10, max: 100000 }
`;

let h: Harness;
let victim: Connection;
let admin: Connection;
beforeAll(async () => {
  h = await startHarness({ configYaml: runConfig(TARGETS), env: { FBT_ORDERS_MYSQL_URL: MYSQL_URL } });
  victim = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
  admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
});
afterAll(async () => {
  victim?.destroy();
  await admin?.end();
  await h?.stop();
});

describe("MySQL from an incident channel", () => {
  it("shows a held SELECT SLEEP in the process list, kills it through an approved run, and records it all", async () => {
    const incident = await declareIncident(h, "P1 Orders API timing out");
    const channel = incident.channelId!;
    const victimId = victim.threadId;
    const sleeping = victim.query("SELECT SLEEP(60) AS slept /* fbt-victim */").then(
      () => "finished" as const,
      (err: Error) => err,
    );
    // Past the one-second threshold before asking, so that one request is enough.
    await eventually(async () => {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT TIME FROM information_schema.PROCESSLIST WHERE ID = ?",
        [victimId],
      );
      return Number(rows[0]?.TIME) >= 1;
    }, "the sleep to run a second");

    // The diagnostic, at once, for a responder.
    const asked = await requestRun(h, "mysql-processlist target=orders-db min_time=1", "U0CAROL", channel);
    const diagnostic = await runInState(h, asked.id, ["succeeded", "failed"]);
    expect(diagnostic.state, diagnostic.outcome?.error).toBe("succeeded");
    const listing = await botMessage(h, channel, "fbt-victim", "process list posted");
    expect(JSON.stringify(listing.blocks)).toContain(String(victimId));
    expect(JSON.stringify(listing.blocks)).toContain("SELECT SLEEP(60)");

    // The remediation: preview with the row, Approve and Deny.
    const requested = await requestRun(
      h,
      `mysql-kill-connection target=orders-db id=${victimId} min_time=1`,
      "U0CAROL",
      channel,
    );
    const pending = await runInState(h, requested.id, ["awaiting_approval"]);
    expect(pending.preview?.changes[0]).toMatch(new RegExp(`^KILL CONNECTION ${victimId} on orders-db`));
    const approval = await botMessage(h, channel, "run.approve", "approval message");
    expect(JSON.stringify(approval.blocks)).toContain(`KILL CONNECTION ${victimId}`);

    // The requester cannot approve their own run; a responder is not an approver.
    await clickDecision(h, pending, "U0CAROL", "approve");
    await ephemeralFor(h, "U0CAROL", "cannot approve it");
    expect((await latestRun(h))!.state).toBe("awaiting_approval");

    // A commander approves: the run kills the connection and the held query fails.
    await clickDecision(h, pending, "U0BOB", "approve");
    const done = await runInState(h, requested.id, ["succeeded", "failed"]);
    expect(done.state, done.outcome?.error).toBe("succeeded");
    const outcome = await sleeping;
    expect(outcome).toBeInstanceOf(Error);
    expect(String(outcome)).toMatch(/closed|killed|lost/i);
    await botMessage(h, channel, `killed CONNECTION ${victimId}`, "result posted");

    const seen = await kinds(h, incident.id);
    for (const k of [
      "run.requested",
      "run.previewed",
      "run.approval_refused",
      "run.approved",
      "run.started",
      "run.succeeded",
    ])
      expect(seen).toContain(k);
    const finished = await eventsOf(h, incident.id, "run.succeeded");
    const last = finished.at(-1)!.data as Record<string, unknown>;
    expect(last).toMatchObject({ run_id: requested.id, outcome: "succeeded" });
    expect(String(last.output_sha256)).toMatch(/^[0-9a-f]{64}$/);
    expect((await auditTimeline(h.db.pool, { incidentId: incident.id })).broken).toEqual([]);
  });
});
