import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AlertProcessor } from "../../src/alerts/alert-processor.js";
import type { AlertmanagerClient, NewSilence } from "../../src/alerts/alertmanager-api.js";
import { silenceAlertGroup } from "../../src/alerts/silence-alert-group.js";
import { applyIncidentChange } from "../../src/incidents/apply-incident-command.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { fixture, FIXTURE_TOKEN, webhookBody } from "../fixtures/alertmanager/webhooks.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const CONFIG = `${TEST_CONFIG_YAML}
alerts:
  routes:
    - match: { namespace: ecommerce }
      invite: [U0CAROL]
      usergroups: [S0ONCALL]
      escalation_policy: default
  on_all_resolved: notify
  reopen_window: 10m
  storm: { threshold_per_minute: 3 }
`;

/** The test's clock: real time plus an offset the tests move forward. */
let offsetMs = 0;
const clock = { now: () => new Date(Date.now() + offsetMs) };

let h: Harness;
let feature: { processor: AlertProcessor };
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: { ALERTMANAGER_TOKEN: FIXTURE_TOKEN }, clock });
  feature = { processor: h.runtime.alerts };
});
afterAll(async () => {
  await h?.stop();
});
// Each test opens groups of its own: a minute apart, they never make a storm together.
beforeEach(() => {
  offsetMs += 61_000;
});

async function deliver(body: unknown): Promise<number> {
  const res = await fetch(`${h.url}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${FIXTURE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  await feature.processor.idle();
  return res.status;
}

const kinds = async (incidentId: number) => (await listTimeline(h.db.pool, incidentId)).map((e) => e.kind);
const incidentsOf = async (groupKey: string) =>
  (
    await h.db.pool.query<{ id: string }>(
      `SELECT DISTINCT (e.data->>'groupKey') AS k, e.incident_id AS id FROM timeline_events e
        WHERE e.kind = 'incident.declared' AND e.data->>'groupKey' = $1`,
      [groupKey],
    )
  ).rows.map((r) => Number(r.id));
const summaryOf = async (incident: Incident, wanted: (text: string) => boolean) =>
  eventually(async () => {
    const i = await getIncident(h.db.pool, incident.id);
    if (!i?.summaryTs || !i.channelId) return null;
    const m = h.emulator.messages(i.channelId).find((x) => x.ts === i.summaryTs);
    const text = JSON.stringify(m?.blocks ?? []);
    return wanted(text) ? text : null;
  }, `summary of #${incident.id}`);
/** conversations.create calls queued for these incidents (each queued call is made once). */
const channelCreations = async (incidentIds: number[]) =>
  (
    await h.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM slack_outbox WHERE method = 'conversations.create' AND incident_id = ANY($1::bigint[])",
      [incidentIds],
    )
  ).rows[0]!.n;
const groupOf = async (groupKey: string) =>
  (await h.db.pool.query("SELECT * FROM alert_groups WHERE group_key = $1", [groupKey])).rows[0];

describe("an Alertmanager group becomes one incident", () => {
  const critical = fixture("firing-single-critical").body;
  const groupKey = critical.groupKey as string;

  it("opens an incident with a channel, the routed invitees, the mapped severity and a summary of its alerts", async () => {
    expect(await deliver(critical)).toBe(200);
    const [id] = await incidentsOf(groupKey);
    const incident = (await getIncident(h.db.pool, id!))!;
    expect(incident).toMatchObject({
      severity: "P1",
      source: "alertmanager",
      commander: null,
      declaredBy: "alertmanager",
    });
    expect(incident.title).toContain("MySQLTooManyConnections ecommerce");
    const summary = await summaryOf(incident, (t) => t.includes("1 firing"));
    expect(summary).toContain("<https://runbooks.example.com/mysql-connections|runbook>");
    expect(summary).toContain(
      "<http://prometheus:9090/graph?g0.expr=mysql_global_status_threads_connected|source>",
    );
    expect(summary).not.toContain("alert.silence"); // no ALERTMANAGER_URL, no Silence control
    const withChannel = (await getIncident(h.db.pool, id!))!;
    const channel = h.emulator.channels().find((c) => c.id === withChannel.channelId)!;
    await eventually(
      () => ["U0CAROL", "U0ALICE", "U0BOB"].every((u) => channel.members.includes(u)),
      "routed people invited",
    );
    expect((await groupOf(groupKey)).escalation_policy).toBe("default");
    expect(await kinds(id!)).toEqual(
      expect.arrayContaining(["incident.declared", "alert.received", "alert.added"]),
    );
  });

  it("adds new alerts to the same incident, marks resolved ones, and says so in the channel when all have cleared", async () => {
    const t0 = new Date(clock.now().getTime() - 60_000);
    const body = (alerts: Parameters<typeof webhookBody>[0]["alerts"]) =>
      webhookBody({
        alertname: "CheckoutErrors",
        alerts: alerts.map((a) => ({ ...a, severity: a.pod === "b" ? "critical" : "warning" })),
      });
    expect(await deliver(body([{ pod: "a", startsAt: t0, severity: "warning" }]))).toBe(200);
    const [id] = await incidentsOf(body([]).groupKey as string);
    expect(
      await deliver(
        body([
          { pod: "a", startsAt: t0 },
          { pod: "b", startsAt: t0 },
        ]),
      ),
    ).toBe(200);
    // The critical alert that joined raises the incident from P3 (warning) to P1.
    expect((await getIncident(h.db.pool, id!))!.severity).toBe("P1");
    const raised = (await listTimeline(h.db.pool, id!)).filter((e) => e.kind === "incident.severity_changed");
    expect(raised).toMatchObject([{ actor: "alertmanager", data: { from: "P3", to: "P1" } }]);
    const resolvedAt = clock.now();
    expect(
      await deliver(
        body([
          { pod: "a", startsAt: t0, status: "resolved", endsAt: resolvedAt },
          { pod: "b", startsAt: t0 },
        ]),
      ),
    ).toBe(200);
    expect(await incidentsOf(body([]).groupKey as string)).toEqual([id]);
    const incident = (await getIncident(h.db.pool, id!))!;
    await summaryOf(incident, (t) => t.includes("1 firing") && t.includes("1 resolved"));
    expect(
      await deliver(
        body([
          { pod: "a", startsAt: t0, status: "resolved", endsAt: resolvedAt },
          { pod: "b", startsAt: t0, status: "resolved", endsAt: clock.now() },
        ]),
      ),
    ).toBe(200);
    const k = await kinds(id!);
    expect(k.filter((x) => x === "alert.added")).toHaveLength(2);
    expect(k.filter((x) => x === "alert.resolved")).toHaveLength(2);
    expect(k.filter((x) => x === "alert.all_resolved")).toHaveLength(1);
    const channelId = (await getIncident(h.db.pool, id!))!.channelId!;
    await eventually(
      () => h.emulator.messages(channelId).find((m) => m.text.includes("have cleared")),
      "all-cleared message",
    );
    expect((await getIncident(h.db.pool, id!))!.state).toBe("declared"); // notify: a person resolves it
    await summaryOf(incident, (t) => t.includes("0 firing") && t.includes("2 resolved"));
    expect((await auditTimeline(h.db.pool, { incidentId: id! })).broken).toEqual([]);
  });

  it("opens one incident and one channel when the same notification arrives twice, concurrently and reordered", async () => {
    const t0 = new Date(clock.now().getTime() - 30_000);
    const alerts = [
      { pod: "x", startsAt: t0, severity: "critical" },
      { pod: "y", startsAt: t0, severity: "critical" },
    ];
    const body = webhookBody({ alertname: "PaymentsDown", alerts });
    const reordered = webhookBody({ alertname: "PaymentsDown", alerts: [...alerts].reverse() });
    const statuses = await Promise.all([
      deliver(body),
      deliver(body),
      deliver(reordered),
      deliver(reordered),
    ]);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const stored = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM alert_notifications WHERE group_key = $1",
      [body.groupKey],
    );
    expect(stored.rows[0].n).toBe(2); // the identical copies were recognised on arrival
    const ids = await incidentsOf(body.groupKey as string);
    expect(ids).toHaveLength(1);
    const incident = (await getIncident(h.db.pool, ids[0]!))!;
    await summaryOf(incident, (t) => t.includes("2 firing"));
    expect(await channelCreations([ids[0]!])).toBe(1);
    const k = await kinds(ids[0]!);
    expect(k.filter((x) => x === "alert.added")).toHaveLength(1);
    expect(k.filter((x) => x === "alert.received")).toHaveLength(1);
  });

  it("ignores a late firing copy that arrives after the resolution (out of order)", async () => {
    const t0 = new Date(clock.now().getTime() - 30_000);
    const firing = webhookBody({ alertname: "LateCopy", alerts: [{ pod: "p", startsAt: t0 }] });
    const resolved = webhookBody({
      alertname: "LateCopy",
      alerts: [{ pod: "p", startsAt: t0, status: "resolved", endsAt: new Date(t0.getTime() + 10_000) }],
    });
    expect(await deliver(firing)).toBe(200);
    expect(await deliver(resolved)).toBe(200);
    // The same firing report again, from the HA peer (another receiver name: another body).
    expect(await deliver({ ...firing, receiver: "firebreak-ha-peer" })).toBe(200);
    const [id] = await incidentsOf(firing.groupKey as string);
    const k = await kinds(id!);
    expect(k).not.toContain("alert.refired");
    expect(k).not.toContain("incident.reopened");
    expect((await groupOf(firing.groupKey as string)).status).toBe("resolved");
  });

  it("opens nothing for a group first seen resolved, nor for the late firing copy of it", async () => {
    const t0 = new Date(clock.now().getTime() - 30_000);
    const resolved = webhookBody({
      alertname: "ResolvedFirst",
      alerts: [{ pod: "r", startsAt: t0, status: "resolved", endsAt: new Date(t0.getTime() + 5_000) }],
    });
    const firing = webhookBody({ alertname: "ResolvedFirst", alerts: [{ pod: "r", startsAt: t0 }] });
    expect(await deliver(resolved)).toBe(200);
    expect(await deliver(firing)).toBe(200);
    expect(await incidentsOf(resolved.groupKey as string)).toEqual([]);
    const group = await groupOf(resolved.groupKey as string);
    expect(group).toMatchObject({ status: "resolved", incident_id: null });
    const states = await h.db.pool.query("SELECT status FROM alert_states WHERE group_id = $1", [group.id]);
    expect(states.rows).toEqual([{ status: "resolved" }]);
  });

  it("shows what Alertmanager truncated, escapes hostile annotations, and never counts truncated alerts as resolved", async () => {
    const truncated = fixture("firing-group-truncated").body;
    expect(await deliver(truncated)).toBe(200);
    const [id] = await incidentsOf(truncated.groupKey as string);
    const incident = (await getIncident(h.db.pool, id!))!;
    expect(incident.severity).toBe("P3");
    const summary = await summaryOf(incident, (t) => t.includes("5 firing"));
    expect(summary).toContain("2 more alerts truncated by Alertmanager");
    expect(summary).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(summary).not.toMatch(/"mrkdwn","text":"[^"]*<script>/);
    const alerts = truncated.alerts as { endsAt: string; status: string }[];
    const listedResolved = {
      ...truncated,
      alerts: alerts.map((a) => ({ ...a, status: "resolved", endsAt: clock.now().toISOString() })),
    };
    expect(await deliver(listedResolved)).toBe(200);
    const k = await kinds(id!);
    expect(k).toContain("alert.resolved");
    expect(k).not.toContain("alert.all_resolved");
    expect((await groupOf(truncated.groupKey as string)).status).toBe("firing");
  });
});

describe("a group that fires again", () => {
  const t0 = () => new Date(clock.now().getTime() - 30_000);

  async function openAndResolveByHand(alertname: string) {
    const body = webhookBody({ alertname, alerts: [{ pod: "one", startsAt: t0() }] });
    expect(await deliver(body)).toBe(200);
    const [id] = await incidentsOf(body.groupKey as string);
    const out = await applyIncidentChange(h.runtime.incidents, id!, "U0ALICE", { type: "resolve" }, "cli");
    expect(out.status).toBe("changed");
    return { id: id!, groupKey: body.groupKey as string };
  }

  it("reopens its incident within the reopen window instead of opening another", async () => {
    const { id, groupKey } = await openAndResolveByHand("ReopenMe");
    offsetMs += 5 * 60_000;
    expect(
      await deliver(webhookBody({ alertname: "ReopenMe", alerts: [{ pod: "two", startsAt: t0() }] })),
    ).toBe(200);
    expect(await incidentsOf(groupKey)).toEqual([id]);
    expect((await getIncident(h.db.pool, id))!.state).toBe("declared");
    const reopened = (await listTimeline(h.db.pool, id)).filter((e) => e.kind === "incident.reopened");
    expect(reopened).toHaveLength(1);
    expect(reopened[0]!.actor).toBe("alertmanager");
  });

  it("opens a new incident after the reopen window", async () => {
    const { id, groupKey } = await openAndResolveByHand("ReopenTooLate");
    offsetMs += 11 * 60_000;
    expect(
      await deliver(webhookBody({ alertname: "ReopenTooLate", alerts: [{ pod: "two", startsAt: t0() }] })),
    ).toBe(200);
    const ids = await incidentsOf(groupKey);
    expect(ids).toHaveLength(2);
    expect((await getIncident(h.db.pool, id))!.state).toBe("resolved");
    expect((await groupOf(groupKey)).incident_id).toBe(String(ids.find((x) => x !== id)));
  });

  it("does not reopen for Alertmanager's repeats of alerts a person resolved while they fired", async () => {
    const { id, groupKey } = await openAndResolveByHand("StillFiring");
    const again = webhookBody({ alertname: "StillFiring", alerts: [{ pod: "one", startsAt: t0() }] });
    expect(await deliver({ ...again, receiver: "repeat" })).toBe(200);
    expect(await incidentsOf(groupKey)).toEqual([id]);
    expect((await getIncident(h.db.pool, id))!.state).toBe("resolved");
  });
});

describe("an alert storm", () => {
  it("opens channels up to the threshold, then collects every further new group in one storm incident", async () => {
    const t0 = new Date(clock.now().getTime() - 30_000);
    const names = ["StormA", "StormB", "StormC", "StormD", "StormE", "StormF"];
    for (const alertname of names)
      expect(
        await deliver(
          webhookBody({
            alertname,
            alerts: [
              { pod: "p1", startsAt: t0 },
              { pod: "p2", startsAt: t0 },
            ],
          }),
        ),
      ).toBe(200);
    const groups = (
      await h.db.pool.query(
        "SELECT g.id, g.incident_id, g.via_storm FROM alert_groups g WHERE g.group_key LIKE '%Storm%' ORDER BY g.id",
      )
    ).rows;
    expect(groups).toHaveLength(6);
    expect(groups.filter((g) => !g.via_storm)).toHaveLength(3);
    const stormIds = new Set(groups.filter((g) => g.via_storm).map((g) => g.incident_id));
    expect(stormIds.size).toBe(1);
    const stormId = Number([...stormIds][0]);
    const alerts = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM alert_states WHERE group_id = ANY($1::bigint[])",
      [groups.map((g) => g.id)],
    );
    expect(alerts.rows[0].n).toBe(12); // no alert dropped
    const k = await kinds(stormId);
    expect(k.filter((x) => x === "alert.storm_collected")).toHaveLength(3);
    const storm = (await getIncident(h.db.pool, stormId))!;
    const summary = await summaryOf(storm, (t) => t.includes("3 alert groups collected"));
    expect(summary).toContain("StormF");
    const incidentIds = [...new Set(groups.map((g) => Number(g.incident_id)))];
    expect(incidentIds).toHaveLength(4);
    expect(await channelCreations(incidentIds)).toBe(4);
    const channels = await eventually(async () => {
      const ids = await Promise.all(
        incidentIds.map(async (i) => (await getIncident(h.db.pool, i))?.channelId),
      );
      return ids.every(Boolean) ? ids : null;
    }, "four channels created");
    expect(h.emulator.channels().filter((c) => channels.includes(c.id))).toHaveLength(4);

    // The storm is over only when every group it collected has resolved.
    const resolve = (alertname: string) =>
      deliver(
        webhookBody({
          alertname,
          alerts: ["p1", "p2"].map((pod) => ({
            pod,
            startsAt: t0,
            status: "resolved" as const,
            endsAt: clock.now(),
          })),
        }),
      );
    const collected = names.slice(3);
    for (const alertname of collected.slice(0, 2)) expect(await resolve(alertname)).toBe(200);
    expect(await kinds(stormId)).not.toContain("alert.all_resolved");
    expect(await resolve(collected[2]!)).toBe(200);
    expect((await kinds(stormId)).filter((x) => x === "alert.all_resolved")).toHaveLength(1);
    await summaryOf(storm, (t) => t.includes("0 still firing"));
  });
});

describe("silencing an alert incident's group", () => {
  const fakeAlertmanager = () => {
    const created: NewSilence[] = [];
    const client = {
      async createSilence(s: NewSilence) {
        created.push(s);
        await new Promise((r) => setTimeout(r, 20)); // a real call takes a moment
        return `silence-${created.length}`;
      },
    } as unknown as AlertmanagerClient;
    return { client, created };
  };

  it("creates one silence for a double click, with the group's labels as matchers", async () => {
    const body = webhookBody({ alertname: "SilenceMe", alerts: [{ pod: "s", startsAt: clock.now() }] });
    expect(await deliver(body)).toBe(200);
    const [id] = await incidentsOf(body.groupKey as string);
    const am = fakeAlertmanager();
    const deps = { incidents: h.runtime.incidents, alertmanager: am.client, names: h.runtime.names };
    const input = { incidentId: id!, userId: "U0CAROL", duration: "1h" };
    const outcomes = await Promise.all([silenceAlertGroup(deps, input), silenceAlertGroup(deps, input)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["changed", "unchanged"]);
    expect(am.created).toHaveLength(1);
    expect(am.created[0]!.matchers).toEqual([
      { name: "alertname", value: "SilenceMe", isRegex: false, isEqual: true },
      { name: "namespace", value: "shop", isRegex: false, isEqual: true },
    ]);
    expect(am.created[0]!.createdBy).toContain("U0CAROL");
    const silenced = (await listTimeline(h.db.pool, id!)).filter((e) => e.kind === "alert.silenced");
    expect(silenced).toMatchObject([{ actor: "U0CAROL", data: { silenceId: "silence-1", duration: "1h" } }]);
  });

  it("refuses a duration that is not configured, and incidents without an alert group of their own", async () => {
    const am = fakeAlertmanager();
    const deps = { incidents: h.runtime.incidents, alertmanager: am.client, names: h.runtime.names };
    const declared = await declareIncident(h.runtime.incidents, {
      title: "Declared by a person",
      severity: "P2",
      actor: "U0CAROL",
      via: "cli",
    });
    const body = webhookBody({ alertname: "SilenceRefused", alerts: [{ pod: "s", startsAt: clock.now() }] });
    expect(await deliver(body)).toBe(200);
    const [alertIncident] = await incidentsOf(body.groupKey as string);
    expect(
      await silenceAlertGroup(deps, { incidentId: alertIncident!, userId: "U0CAROL", duration: "7d" }),
    ).toMatchObject({ status: "refused" });
    expect(
      await silenceAlertGroup(deps, { incidentId: declared.incident!.id, userId: "U0CAROL", duration: "1h" }),
    ).toMatchObject({ status: "refused", message: expect.stringMatching(/no alert group/) as unknown });
    expect(am.created).toHaveLength(0);
  });
});
