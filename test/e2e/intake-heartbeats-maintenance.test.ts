import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { WORKSPACE_CHAIN, listTimeline } from "../../src/store/timeline/timeline-events.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const TOKENS = { CRON_WEBHOOK_TOKEN: "cron-secret", BACKUP_HEARTBEAT_TOKEN: "beat-secret" };

const CONFIG = `${TEST_CONFIG_YAML}
escalation_policies:
  checkout:
    steps: [{ notify: [{ user: U0DAVE }], ack_timeout: 15m }]
alerts:
  on_all_resolved: auto_resolve
jobs: { heartbeat_check: 1s, maintenance_release: 1s }
integrations:
  - name: cron
    type: generic
    token_env: CRON_WEBHOOK_TOKEN
    fields: { dedup_key: id, title: message, status: state, labels: labels }
    resolved_values: [ok]
heartbeats:
  - { name: backups, token_env: BACKUP_HEARTBEAT_TOKEN, interval: 2s, grace: 1s, severity: P2 }
services:
  - { name: checkout, team: S0ONCALL, escalation_policy: checkout, announce_channel: C0INCIDENTS, match: "service=checkout" }
  - { name: search }
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: TOKENS });
});
afterAll(async () => {
  await h?.stop();
});

const beat = (token = TOKENS.BACKUP_HEARTBEAT_TOKEN, name = "backups") =>
  fetch(`${h.url}/heartbeats/${name}`, { method: "POST", headers: { authorization: `Bearer ${token}` } });

const cron = (body: Record<string, unknown>) =>
  fetch(`${h.url}/integrations/cron`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${TOKENS.CRON_WEBHOOK_TOKEN}` },
    body: JSON.stringify(body),
  });

const slash = (command: string, text: string, userId = "U0ALICE", channelId = "C0INCIDENTS") =>
  h.sender.slashCommand({ command, text, userId, channelId });

const ephemeral = (userId: string, wanted: (text: string) => boolean, what: string) =>
  eventually(() => h.emulator.ephemerals(userId).find((m) => wanted(m.text)), what);

const groupOf = async (groupKey: string) =>
  (
    await h.db.pool.query<{ incident_id: string | null; held_by_window: string | null; status: string }>(
      "SELECT incident_id, held_by_window, status FROM alert_groups WHERE group_key = $1",
      [groupKey],
    )
  ).rows[0];

const withSummary = (id: number) =>
  eventually(async () => {
    const i = await getIncident(h.db.pool, id);
    return i?.summaryTs ? i : null;
  }, `summary of #${id}`);

describe("heartbeats", () => {
  it("record beats with a deadline in Postgres; a missed beat opens an incident, the next beat resolves it", async () => {
    expect((await beat("wrong")).status).toBe(401);
    expect((await beat(TOKENS.BACKUP_HEARTBEAT_TOKEN, "nightly")).status).toBe(404);
    const first = await beat();
    expect(first.status).toBe(200);
    const answer = (await first.json()) as { status: string; next_deadline: string };
    expect(answer.status).toBe("ok");
    const row = await h.db.pool.query<{ status: string; deadline_at: Date }>(
      "SELECT status, deadline_at FROM heartbeats WHERE name = 'backups'",
    );
    expect(row.rows[0]).toMatchObject({ status: "up" });
    expect(row.rows[0]!.deadline_at.toISOString()).toBe(answer.next_deadline);

    // No more beats: once the deadline (2s + 1s grace) passes, the worker opens the incident.
    const incident = await eventually(
      async () => {
        const g = await groupOf("heartbeat:backups");
        return g?.incident_id ? withSummary(Number(g.incident_id)) : null;
      },
      "the missed heartbeat's incident",
      15_000,
    );
    expect(incident).toMatchObject({
      title: "Heartbeat missed: backups",
      severity: "P2",
      source: "heartbeat:backups",
      state: "declared",
    });
    const summary = await eventually(() => {
      const m = h.emulator.messages(incident.channelId!).find((x) => x.ts === incident.summaryTs);
      const text = JSON.stringify(m?.blocks ?? []);
      return text.includes("No heartbeat from backups since") ? text : null;
    }, "the summary saying since when");
    expect(summary).toContain("1 firing");

    const back = await beat();
    expect(await back.json()).toMatchObject({ status: "ok", recovered: true });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
      "resolved",
    );
    const kinds = (await listTimeline(h.db.pool, incident.id)).map((e) => e.kind);
    expect(kinds).toEqual(expect.arrayContaining(["alert.added", "alert.resolved", "incident.resolved"]));
    const page = await (await fetch(`${h.url}/incidents`)).text();
    expect(page).toContain('data-heartbeat="backups"');
  });
});

describe("maintenance windows", () => {
  it("need their own permission, and say so", async () => {
    await slash("/alerts", "maintenance service=checkout for 1h", "U0CAROL");
    await ephemeral("U0CAROL", (t) => t.includes("You may not open or end maintenance windows"), "refusal");
    const refused = (await listTimeline(h.db.pool, WORKSPACE_CHAIN)).filter(
      (e) => e.kind === "command.refused",
    );
    expect(refused.at(-1)?.data).toMatchObject({ command: "alerts maintenance" });
    const bad = await slash("/alerts", "maintenance service=checkout");
    expect(bad.ackMessage?.text).toMatch(/how long/);
  });

  it("hold matching alerts back (tracked, no channel, nobody paged, listed in the announcement), then open them when ended", async () => {
    await slash("/alerts", 'maintenance service="checkout", env=~"prod|staging" for 2h deploy v42 & migrate');
    const reply = await ephemeral("U0ALICE", (t) => t.includes("Maintenance window #"), "window opened");
    const id = Number(/#(\d+)/.exec(reply.text)![1]);
    const announcement = await eventually(
      () => h.emulator.messages("C0INCIDENTS").find((m) => m.text.startsWith(`Maintenance window #${id}`)),
      "the window's announcement",
    );
    expect(JSON.stringify(announcement.blocks)).toContain("deploy v42 &amp; migrate");

    const incidentsBefore = (await listIncidents(h.db.pool)).length;
    const res = await cron({
      id: "checkout-deploy",
      message: "Checkout 5xx",
      labels: { service: "checkout", env: "prod" },
    });
    expect(res.status).toBe(200);
    // Outside the window's matchers: opens as usual.
    await cron({ id: "search-slow", message: "Search slow", labels: { service: "search", env: "prod" } });
    const held = await eventually(async () => {
      const g = await groupOf("integration:cron:checkout-deploy");
      return g?.held_by_window ? g : null;
    }, "the group held");
    expect(held).toMatchObject({ held_by_window: String(id), status: "firing", incident_id: null });
    await eventually(
      async () => (await groupOf("integration:cron:search-slow"))?.incident_id,
      "search opens",
    );
    expect((await listIncidents(h.db.pool)).length).toBe(incidentsBefore + 1);
    await eventually(
      () =>
        JSON.stringify(
          h.emulator.messages("C0INCIDENTS").find((m) => m.ts === announcement.ts)?.blocks,
        ).includes("dedup_key=checkout-deploy"),
      "the announcement lists the held group",
    );
    await slash("/alerts", "maintenance list", "U0BOB");
    await ephemeral("U0BOB", (t) => t.includes("maintenance windows"), "the list");
    const listed = h.emulator.ephemerals("U0BOB").find((m) => m.text.includes("maintenance windows"))!;
    expect(JSON.stringify(listed.blocks)).toContain(`*#${id}*`);
    const page = await (await fetch(`${h.url}/incidents`)).text();
    expect(page).toContain(`data-window="${id}"`);
    expect(page).toMatch(/<td class="state">active<\/td>/);

    await slash("/alerts", `maintenance end ${id}`);
    const ended = await ephemeral(
      "U0ALICE",
      (t) => t.startsWith(":construction: Ended maintenance window"),
      "ended",
    );
    expect(ended.text).toMatch(/opened #\d+/);
    const opened: Incident = await eventually(async () => {
      const g = await groupOf("integration:cron:checkout-deploy");
      return g?.incident_id ? withSummary(Number(g.incident_id)) : null;
    }, "the held alert's incident");
    expect(opened).toMatchObject({ title: "Checkout 5xx", service: "checkout", source: "integration:cron" });
    expect((await groupOf("integration:cron:checkout-deploy"))?.held_by_window).toBeNull();
    const kinds = (await listTimeline(h.db.pool, opened.id)).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["incident.declared", "alert.added", "maintenance.released"]),
    );
    const workspace = (await listTimeline(h.db.pool, WORKSPACE_CHAIN)).map((e) => e.kind);
    expect(workspace).toEqual(
      expect.arrayContaining([
        "maintenance.started",
        "maintenance.held",
        "maintenance.ended",
        "maintenance.released",
      ]),
    );
    await eventually(
      () =>
        JSON.stringify(
          h.emulator.messages("C0INCIDENTS").find((m) => m.ts === announcement.ts)?.blocks,
        ).includes("The window is over"),
      "the announcement says it is over",
    );
  });
});

describe("services in declarations", () => {
  it("`/incident declare P1 checkout: …` invites the team, pages its policy, and `/incident list checkout` finds it", async () => {
    await slash("/incident", "declare P1 checkout: Payments fail", "U0CAROL");
    const incident = await eventually(async () => {
      const [latest] = await listIncidents(h.db.pool, { service: "checkout", openOnly: true });
      return latest?.title === "Payments fail" && latest.channelId ? latest : null;
    }, "the checkout incident");
    expect(incident).toMatchObject({ severity: "P1", service: "checkout", escalationPolicy: "checkout" });
    const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
    await eventually(
      () => ["U0ALICE", "U0BOB", "U0CAROL"].every((u) => channel.members.includes(u)),
      "team invited",
    );
    // A prefix that is no service stays in the title.
    await slash("/incident", "declare P3 DB: slow queries", "U0CAROL");
    await eventually(
      async () => (await listIncidents(h.db.pool))[0]?.title === "DB: slow queries",
      "plain title",
    );

    await slash("/incident", "list checkout", "U0DAVE");
    const list = await ephemeral(
      "U0DAVE",
      (t) => t.includes("open incidents of checkout"),
      "the service's list",
    );
    expect(JSON.stringify(list.blocks)).toContain("Payments fail");
    expect(JSON.stringify(list.blocks)).not.toContain("DB: slow queries");
    await slash("/incident", "list billing", "U0DAVE");
    await ephemeral("U0DAVE", (t) => t.includes('There is no service "billing"'), "unknown service");
  });

  it("the declare form offers the services, and the chosen one decides like a typed prefix", async () => {
    await slash("/incident", "declare", "U0CAROL");
    const open = await h.emulator.waitForCall(
      "views.open",
      (c) => (c.args.view as { callback_id?: string }).callback_id === "incident.declare_modal",
    );
    expect(JSON.stringify(open.args.view)).toContain('"block_id":"service"');
    await h.sender.submitView({
      userId: "U0CAROL",
      callbackId: "incident.declare_modal",
      values: {
        title: { title: "Cart empties itself" },
        severity: { severity: "P2" },
        service: { service: "checkout" },
      },
    });
    const incident = await eventually(async () => {
      const [latest] = await listIncidents(h.db.pool);
      return latest?.title === "Cart empties itself" && latest.channelId ? latest : null;
    }, "declared from the form");
    expect(incident).toMatchObject({ service: "checkout", escalationPolicy: "checkout" });
    const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
    await eventually(() => ["U0ALICE", "U0BOB"].every((u) => channel.members.includes(u)), "team invited");
  });
});
