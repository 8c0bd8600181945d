import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import { parseOncallCommand } from "../../src/core/oncall/parse-oncall-command.js";
import { whoIsOnCall } from "../../src/core/oncall/who-is-on-call.js";
import type { Role } from "../../src/core/incident/roles.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import { runOncallCommand } from "../../src/paging/oncall-command.js";
import { pagingChangeListener } from "../../src/paging/paging-change-listener.js";
import { createIncidentNotifier, pagingPorts } from "../support/wiring.js";
import { processEscalation } from "../../src/paging/process-escalation.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { WORKSPACE_CHAIN, listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

const T0 = new Date("2026-11-24T10:00:00Z");

let db: TestDatabase;
let config: FirebreakConfig;
let onCall: string;
const clock = { now: () => T0 };

function context(): PagingContext {
  return {
    pool: db.pool,
    clock,
    config,
    log: createLogger("silent"),
    settings: DEFAULT_PAGING_SETTINGS,
    ...pagingPorts(),
  };
}
const run = (text: string, user = "U0ADMIN") => runOncallCommand(context(), parseOncallCommand(text), user);

beforeAll(async () => {
  db = await createTestDatabase();
  config = parseFirebreakConfig(`
timezone: UTC
schedules:
  primary:
    time_zone: Europe/Berlin
    layers:
      - { name: weekly, users: [U0ALICE, U0BOB], shift: weekly, handoff: "09:00", start: "2026-01-05" }
  db:
    time_zone: UTC
    layers:
      - { name: dbas, users: [U0DBA], shift: daily, handoff: "08:00", start: "2026-01-01" }
escalation_policies:
  default:
    steps:
      - { notify: [{ schedule: primary }], ack_timeout: 15m }
      - { notify: [{ user: U0CAROL }], ack_timeout: 30m }
`);
  onCall = whoIsOnCall(config.paging.schedules.primary!, T0).users[0]!;
});
afterAll(async () => {
  await db?.drop();
});

describe("/oncall", () => {
  it("says who is on call now on every schedule, until when, in the schedule's zone", async () => {
    const text = await run("");
    expect(text).toContain(`*primary*: <@${onCall}> until`);
    expect(text).toContain("Europe/Berlin (layer weekly)");
    expect(text).toContain("*db*: <@U0DBA>");
  });

  it("answers for one schedule at another time", async () => {
    const text = await run("primary at 2026-11-30 10:00");
    const then = whoIsOnCall(config.paging.schedules.primary!, new Date("2026-11-30T09:00:00Z")).users[0]!;
    expect(text).toContain(`*primary* at Mon 30 Nov 10:00: <@${then}>`);
  });

  it("stores an override, records it in the workspace timeline, pages by it, and removes it", async () => {
    const added = await run("override <@U0ZOE|zoe> 4h primary");
    const id = /Override (\d+)/.exec(added)?.[1];
    expect(id).toBeDefined();
    expect(await run("primary")).toContain(`<@U0ZOE> until`);

    const incident = await declareIncident(
      {
        pool: db.pool,
        clock,
        config,
        log: createLogger("silent"),
        roles: { rolesOf: async () => new Set<Role>() },
        notifier: createIncidentNotifier(),
        changeListeners: [pagingChangeListener(context())],
      },
      { title: "Disk full", severity: "P1", actor: "U0ADMIN", via: "slash" },
    );
    expect(await processEscalation(context(), incident.incident!.id, T0)).toMatchObject({
      kind: "paged",
      userIds: ["U0ZOE"],
    });

    expect(await run(`override remove ${id}`)).toContain(`Removed override ${id}`);
    expect(await run("primary")).toContain(`<@${onCall}> until`);
    await expect(run(`override remove ${id}`)).rejects.toThrow(/no current override/);
    const events = await listTimeline(db.pool, WORKSPACE_CHAIN);
    expect(events.map((e) => e.kind)).toEqual(["oncall.override_added", "oncall.override_removed"]);
    expect(events[0]!.data).toMatchObject({ schedule: "primary", user: "U0ZOE" });
    expect(events[0]!.actor).toBe("U0ADMIN");
    expect((await auditTimeline(db.pool, { incidentId: WORKSPACE_CHAIN })).broken).toEqual([]);
  });

  it("asks which schedule when there are several and none is named", async () => {
    await expect(run("override <@U0ZOE> 4h")).rejects.toThrow(/Name the schedule \(primary, db\)/);
  });

  it("adds an override once when Slack delivers the command twice (same trigger id)", async () => {
    const command = parseOncallCommand("override <@U0YAN|yan> 2h db");
    const first = await runOncallCommand(context(), command, "U0ADMIN", "1700000000.123.abc");
    const again = await runOncallCommand(context(), command, "U0ADMIN", "1700000000.123.abc");
    expect(again).toMatch(/already added/);
    const added = (await listTimeline(db.pool, WORKSPACE_CHAIN)).filter(
      (e) => e.kind === "oncall.override_added" && (e.data as { user?: string }).user === "U0YAN",
    );
    expect(added).toHaveLength(1);
    const id = /Override (\d+)/.exec(first)?.[1];
    expect(await run(`override remove ${id}`)).toContain(`Removed override ${id}`);
  });

  it("simulates a policy or a severity as a dry run", async () => {
    const byName = await run("simulate default");
    expect(byName).toContain("Escalation policy *default*");
    expect(byName).toContain(`T+0 (Tue 10:00) page @${onCall} (primary on call)`);
    expect(byName).toContain("T+15m (Tue 10:15) page @U0CAROL");
    const bySeverity = await run("simulate P2 at 2026-11-25 03:00");
    expect(bySeverity).toContain("(for P2)");
    await expect(run("simulate nope")).rejects.toThrow(/no escalation policy "nope"/);
  });
});
