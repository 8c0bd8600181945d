import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { fixture } from "../fixtures/alertmanager/webhooks.js";
import { adminUrl } from "../support/db-names.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const TOKENS = {
  CRON_WEBHOOK_TOKEN: "cron-secret-token",
  GRAFANA_TOKEN: "grafana-secret",
  AM_EU_TOKEN: "am-eu-secret",
};

const CONFIG = `${TEST_CONFIG_YAML}
escalation_policies:
  checkout:
    steps: [{ notify: [{ user: U0DAVE }], ack_timeout: 15m }]
alerts:
  on_all_resolved: auto_resolve
integrations:
  - name: cron
    type: generic
    token_env: CRON_WEBHOOK_TOKEN
    fields: { dedup_key: job.id, title: job.message, severity: level, status: state, links: job.links, labels: job.labels }
    severity_map: { fatal: P1, error: P2, warning: P3 }
    resolved_values: [ok, resolved]
  - { name: grafana, type: grafana, token_env: GRAFANA_TOKEN }
  - { name: am-eu, type: alertmanager, token_env: AM_EU_TOKEN, labels: { region: eu } }
services:
  - name: checkout
    team: S0ONCALL
    escalation_policy: checkout
    announce_channel: C0INCIDENTS
    match: "service=checkout"
`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: TOKENS });
});
afterAll(async () => {
  await setConnections(true);
  await h?.stop();
});

const post = (url: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
  fetch(`${h.url}${url}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

const cron = (job: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  post("/integrations/cron", { job, ...extra }, TOKENS.CRON_WEBHOOK_TOKEN);

const incidentOfGroup = (groupKey: string) =>
  eventually(async () => {
    const g = await h.db.pool.query<{ incident_id: string | null }>(
      "SELECT incident_id FROM alert_groups WHERE group_key = $1",
      [groupKey],
    );
    const id = g.rows[0]?.incident_id;
    const incident = id ? await getIncident(h.db.pool, Number(id)) : null;
    return incident?.summaryTs ? incident : null;
  }, `the incident of ${groupKey}`);

const summaryBlocks = (incident: Incident, wanted: (text: string) => boolean) =>
  eventually(() => {
    const m = h.emulator.messages(incident.channelId!).find((x) => x.ts === incident.summaryTs);
    const text = JSON.stringify(m?.blocks ?? []);
    return wanted(text) ? (m?.blocks as Record<string, unknown>[]) : null;
  }, `summary of #${incident.id}`);

const notificationCount = async () =>
  Number((await h.db.pool.query("SELECT count(*) AS n FROM alert_notifications")).rows[0].n);

describe("POST /integrations/<name>: the same door as Alertmanager", () => {
  it("answers 401 before reading the body, 404 for an unknown name, 413 over the limit, 400 naming the field", async () => {
    const huge = JSON.stringify({ job: { id: "x", pad: "y".repeat(2 * 1024 * 1024) } });
    // A wrong token is refused before the 2 MiB body is read: 401, not 413.
    const stranger = await post("/integrations/cron", huge, "wrong");
    expect(stranger.status).toBe(401);
    expect(((await stranger.json()) as { error: string }).error).toMatch(/Authorization: Bearer/);
    expect((await post("/integrations/cron", { job: { id: "x" } })).status).toBe(401);
    // Another integration's token does not open this one.
    expect((await post("/integrations/cron", { job: { id: "x" } }, TOKENS.GRAFANA_TOKEN)).status).toBe(401);
    const unknown = await post("/integrations/nagios", {}, TOKENS.CRON_WEBHOOK_TOKEN);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toMatch(/No integration named "nagios"/);
    expect((await post("/integrations/cron", huge, TOKENS.CRON_WEBHOOK_TOKEN)).status).toBe(413);
    const noKey = await cron({ message: "Backup failed" });
    expect(noKey.status).toBe(400);
    expect(await noKey.json()).toEqual({
      error: "cron event rejected: job.id (dedup_key): required, the dedup key of the event",
    });
    const malformed = await post("/integrations/cron", "{not json", TOKENS.CRON_WEBHOOK_TOKEN);
    expect(malformed.status).toBe(400);
    const grafanaBad = await post("/integrations/grafana", { receiver: "x" }, TOKENS.GRAFANA_TOKEN);
    expect(grafanaBad.status).toBe(400);
    expect(((await grafanaBad.json()) as { error: string }).error).toMatch(
      /^Grafana webhook rejected: status: /,
    );
    expect(await notificationCount()).toBe(0);
  });

  it("opens one incident per dedup key with the mapped title and severity, and resolves it with the key", async () => {
    const job = {
      id: "backup-db",
      message: "Nightly backup failed",
      links: [
        { url: "https://ci.example.com/jobs/backup-db", text: "CI run" },
        { url: "javascript:alert(1)", text: "evil" },
      ],
    };
    const first = await cron(job, { level: "fatal", state: "failed" });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ status: "stored" });
    const incident = await incidentOfGroup("integration:cron:backup-db");
    expect(incident).toMatchObject({
      title: "Nightly backup failed",
      severity: "P1",
      source: "integration:cron",
    });
    // The same key again is the same incident.
    expect((await cron(job, { level: "fatal", state: "failed" })).status).toBe(200);
    const blocks = await summaryBlocks(incident, (t) => t.includes("1 firing"));
    const buttons = blocks
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements as Record<string, unknown>[]);
    // Links become buttons only when they are http(s).
    expect(buttons.filter((b) => "url" in b)).toEqual([
      expect.objectContaining({
        url: "https://ci.example.com/jobs/backup-db",
        text: expect.objectContaining({ text: "CI run" }),
      }),
    ]);
    expect(JSON.stringify(blocks)).not.toContain("javascript:");
    await eventually(
      async () =>
        Number(
          (await h.db.pool.query("SELECT count(*) AS n FROM alert_notifications WHERE processed_at IS NULL"))
            .rows[0].n,
        ) === 0,
      "both events processed",
    );
    expect((await listIncidents(h.db.pool)).filter((i) => i.source === "integration:cron")).toHaveLength(1);

    const ok = await cron({ id: "backup-db" }, { state: "OK" });
    expect(await ok.json()).toMatchObject({ status: "stored" });
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
      "resolved",
    );
    const kinds = (await listTimeline(h.db.pool, incident.id)).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(["alert.added", "alert.resolved", "alert.all_resolved", "incident.resolved"]),
    );
  });

  it("says so when a resolve names a key that is not open, and changes nothing", async () => {
    const before = await notificationCount();
    const res = await cron({ id: "never-fired" }, { state: "resolved" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "not_open",
      message: 'Nothing is open for dedup key "never-fired" of cron: the resolve changed nothing.',
    });
    expect(await notificationCount()).toBe(before);
  });

  it("routes an event to its service: the team is invited, the service's policy pages, the summary names the owner", async () => {
    await cron(
      { id: "checkout-probe", message: "Checkout probe failing", labels: { service: "checkout" } },
      { level: "error" },
    );
    const incident = await incidentOfGroup("integration:cron:checkout-probe");
    expect(incident).toMatchObject({ service: "checkout", severity: "P2", escalationPolicy: "checkout" });
    const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
    await eventually(
      () => ["U0ALICE", "U0BOB"].every((u) => channel.members.includes(u)),
      "the team invited",
    );
    const blocks = await summaryBlocks(incident, (t) => t.includes("*Service*"));
    expect(JSON.stringify(blocks)).toContain("checkout · owned by <!subteam^S0ONCALL>");
    // The service's policy pages its first step, and the page names the service.
    const dm = await eventually(
      () =>
        h.emulator
          .messages(h.emulator.dm("U0DAVE")?.id ?? "none")
          .find((m) => m.text.includes(`#${incident.id}`)),
      "the page DM",
    );
    expect(JSON.stringify(dm.blocks)).toContain("Service: checkout");
  });

  it("takes Grafana's contact point body: the rule's annotations, and its URLs as buttons", async () => {
    const body = JSON.parse(
      readFileSync(path.resolve(import.meta.dirname, "../fixtures/grafana/webhook-firing.json"), "utf8"),
    ) as Record<string, unknown>;
    const res = await post("/integrations/grafana", body, TOKENS.GRAFANA_TOKEN);
    expect(res.status).toBe(200);
    const incident = await incidentOfGroup("integration:grafana:{}:{}");
    expect(incident.source).toBe("integration:grafana");
    const blocks = await summaryBlocks(incident, (t) => t.includes("2 firing"));
    const text = JSON.stringify(blocks);
    expect(text).toContain("This alert was triggered for zone eu-1");
    const urls = blocks
      .filter((b) => b.type === "actions")
      .flatMap((b) => b.elements as { url?: string; text: { text: string } }[])
      .filter((b) => b.url)
      .map((b) => b.text.text);
    // Each alert's silence URL is its own; empty URLs are no buttons.
    expect(urls).toEqual(["Dashboard", "Panel", "Silence in Grafana", "Silence in Grafana"]);
    // The same body again (Grafana's retry) is one delivery.
    const again = await post("/integrations/grafana", body, TOKENS.GRAFANA_TOKEN);
    expect(await again.json()).toEqual({ status: "duplicate" });
  });

  it("gives another Alertmanager its own token, groups and labels", async () => {
    const body = fixture("firing-single-critical").body as { groupKey: string };
    expect((await post("/integrations/am-eu", body, TOKENS.CRON_WEBHOOK_TOKEN)).status).toBe(401);
    expect((await post("/integrations/am-eu", body, TOKENS.AM_EU_TOKEN)).status).toBe(200);
    const incident = await incidentOfGroup(`integration:am-eu:${body.groupKey}`);
    expect(incident.source).toBe("integration:am-eu");
    const labels = await h.db.pool.query<{ common_labels: Record<string, string> }>(
      "SELECT common_labels FROM alert_groups WHERE incident_id = $1",
      [incident.id],
    );
    expect(labels.rows[0]!.common_labels.region).toBe("eu");
  });

  it("answers 503 when Postgres cannot store the event, and 200 once it can", async () => {
    await setConnections(false);
    const down = await cron({ id: "during-outage", message: "x" });
    expect(down.status).toBe(503);
    await setConnections(true);
    const back = await eventually(async () => {
      const res = await cron({ id: "during-outage", message: "x" });
      return res.status === 200 ? res : null;
    }, "stored once Postgres is back");
    expect(await back.json()).toMatchObject({ status: "stored" });
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toMatch(
      /firebreak_intake_requests_total\{door="integration",name="cron",outcome="unavailable"\} 1/,
    );
    expect(metrics).toMatch(
      /firebreak_intake_requests_total\{door="integration",name="cron",outcome="not_open"\} 1/,
    );
  });
});

async function setConnections(allowed: boolean) {
  if (!h) return;
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
