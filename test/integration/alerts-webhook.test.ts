import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertProcessor } from "../../src/alerts/alert-processor.js";
import { insertNotification } from "../../src/store/alerts/notifications.js";
import { parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { fixture, FIXTURE_TOKEN, webhookBody } from "../fixtures/alertmanager/webhooks.js";
import { TEST_CONFIG_YAML, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const CONFIG = `${TEST_CONFIG_YAML}
alerts:
  on_all_resolved: auto_resolve
`;

let h: Harness;
let feature: { processor: AlertProcessor };
const extra: Runtime[] = [];

beforeAll(async () => {
  h = await startHarness({ configYaml: CONFIG, env: { ALERTMANAGER_TOKEN: FIXTURE_TOKEN } });
  feature = { processor: h.runtime.alerts };
});
afterAll(async () => {
  for (const r of extra) await r.stop();
  await h?.stop();
});

/** Another web process on the harness's Slack emulator, with its own environment. */
async function webProcess(env: Record<string, string>): Promise<string> {
  return (await webRuntime(env)).url;
}

async function webRuntime(env: Record<string, string>): Promise<{ url: string; runtime: Runtime }> {
  const runtime = await createRuntime({
    env: readEnvOptions({
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "silent",
      DATABASE_URL: h.db.url,
      ...env,
    }),
    config: parseFirebreakConfig(CONFIG),
    logger: createLogger("silent"),
    role: "web",
    slack: { token: "xoxb-test", signingSecret: "test", apiUrl: h.emulator.apiUrl },
  });
  extra.push(runtime);
  const { port } = await runtime.start();
  return { url: `http://127.0.0.1:${port}`, runtime };
}

async function post(
  body: string | object,
  opts: { authorization?: string | null; base?: string } = {},
): Promise<{ status: number; json: { error?: string; status?: string } }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = opts.authorization === undefined ? `Bearer ${FIXTURE_TOKEN}` : opts.authorization;
  if (auth !== null) headers.authorization = auth;
  const res = await fetch(`${opts.base ?? h.url}/alerts/alertmanager`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const json = (await res.json()) as { error?: string; status?: string };
  await feature.processor.idle();
  return { status: res.status, json };
}

const stored = async () =>
  (await h.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM alert_notifications")).rows[0]!.n;

describe("POST /alerts/alertmanager refuses what it must not store", () => {
  const body = () => webhookBody({ alertname: "Refused", alerts: [{ pod: "a", startsAt: new Date() }] });

  it("answers 401 and stores nothing without the right token", async () => {
    const before = await stored();
    const basic = (user: string, pass: string) =>
      `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    for (const authorization of [
      null,
      "Bearer wrong",
      `Bearer ${FIXTURE_TOKEN}x`,
      basic("am", "nope"),
      "Token x",
    ]) {
      const res = await post(body(), { authorization });
      expect(res.status).toBe(401);
      expect(res.json.error).toMatch(/ALERTMANAGER_TOKEN/);
    }
    expect(await stored()).toBe(before);
    expect((await post(body(), { authorization: basic("alertmanager", FIXTURE_TOKEN) })).status).toBe(200);
  });

  it("answers 400 with the reason for malformed JSON and invalid or hostile payloads, and stores nothing", async () => {
    const before = await stored();
    const cases: [string | object, RegExp][] = [
      ["{", /Malformed JSON/],
      ["", /Malformed JSON/],
      [{ ...body(), groupKey: undefined }, /groupKey: required/],
      [{ ...body(), version: "3" }, /version: expected "4"/],
      [{ ...body(), alerts: "all of them" }, /alerts: expected array, got string/],
      [JSON.stringify(body()).replace('"groupLabels":{', '"groupLabels":{"__proto__":"x",'), /__proto__/],
      [{ ...body(), truncatedAlerts: -1 }, /truncatedAlerts/],
      [
        {
          ...body(),
          alerts: [{ ...(body().alerts as object[])[0], labels: { alertname: "x".repeat(9000) } }],
        },
        /alerts\[0\]\.labels\.alertname: too long/,
      ],
    ];
    for (const [payload, reason] of cases) {
      const res = await post(payload);
      expect(res.status, String(reason)).toBe(400);
      expect(res.json.error).toMatch(reason);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await stored()).toBe(before);
  });

  it("answers 413 for a body over 1 MiB", async () => {
    const before = await stored();
    const huge = JSON.stringify({ ...body(), padding: "x".repeat(1024 * 1024) });
    const res = await post(huge);
    expect(res.status).toBe(413);
    expect(res.json.error).toMatch(/too large/);
    expect(await stored()).toBe(before);
  });

  it("answers 503 while ALERTMANAGER_TOKEN is unset, saying how to enable alerts", async () => {
    const base = await webProcess({});
    const res = await post(body(), { base });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/set ALERTMANAGER_TOKEN/);
  });

  it("answers 503 when Postgres cannot take the notification, so that Alertmanager retries", async () => {
    const base = await webProcess({
      ALERTMANAGER_TOKEN: FIXTURE_TOKEN,
      DATABASE_URL: "postgres://firebreak@127.0.0.1:1/unreachable",
    });
    const res = await post(body(), { base });
    expect(res.status).toBe(503);
    expect(res.json.error).toMatch(/Alertmanager will retry/);
  });
});

describe("two Firebreak replicas receiving the same group at the same moment", () => {
  it("open one incident with one channel and record each alert once", async () => {
    const replica = await webRuntime({ ALERTMANAGER_TOKEN: FIXTURE_TOKEN });
    const other = { processor: replica.runtime.alerts };
    const t0 = new Date(Date.now() - 10_000);
    const pods = ["a", "b", "c"];
    // What an HA pair sends: the same notification to each replica, plus a later one.
    const first = webhookBody({
      alertname: "Replicated",
      alerts: pods.slice(0, 2).map((pod) => ({ pod, startsAt: t0 })),
    });
    const second = webhookBody({
      alertname: "Replicated",
      alerts: pods.map((pod) => ({ pod, startsAt: t0 })),
    });
    const answers = await Promise.all([
      post(first),
      post(first, { base: replica.url }),
      post(second),
      post(second, { base: replica.url }),
    ]);
    await other.processor.idle();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.filter((a) => a.json.status === "duplicate")).toHaveLength(2);
    const groups = await h.db.pool.query("SELECT id, incident_id FROM alert_groups WHERE group_key = $1", [
      first.groupKey,
    ]);
    expect(groups.rows).toHaveLength(1);
    const id = Number(groups.rows[0].incident_id);
    const events = await listTimeline(h.db.pool, id);
    expect(events.filter((e) => e.kind === "incident.declared")).toHaveLength(1);
    const added = events
      .filter((e) => e.kind === "alert.added")
      .flatMap((e) => (e.data as { alerts: { fingerprint: string }[] }).alerts.map((a) => a.fingerprint));
    expect(added).toHaveLength(3);
    expect(new Set(added).size).toBe(3);
    const creates = await h.db.pool.query(
      "SELECT count(*)::int AS n FROM slack_outbox WHERE method = 'conversations.create' AND incident_id = $1",
      [id],
    );
    expect(creates.rows[0].n).toBe(1);
  });
});

describe("a group whose alerts all resolve, with on_all_resolved: auto_resolve", () => {
  it("resolves the incident as alertmanager, once, however often the resolution is delivered", async () => {
    const firing = fixture("firing-single-critical");
    expect(firing.request.headers.authorization).toBe(`Bearer ${FIXTURE_TOKEN}`);
    expect((await post(firing.body)).status).toBe(200);
    const group = (
      await h.db.pool.query("SELECT incident_id FROM alert_groups WHERE group_key = $1", [
        firing.body.groupKey,
      ])
    ).rows[0];
    const id = Number(group.incident_id);
    const resolved = fixture("resolved-single").body;
    expect((await post(resolved)).json.status).toBe("stored");
    expect((await post(resolved)).json.status).toBe("duplicate");
    const incident = (await getIncident(h.db.pool, id))!;
    expect(incident).toMatchObject({ state: "resolved", resolvedBy: "alertmanager" });
    const events = await listTimeline(h.db.pool, id);
    expect(events.filter((e) => e.kind === "alert.all_resolved")).toHaveLength(1);
    const resolvedEvents = events.filter((e) => e.kind === "incident.resolved");
    expect(resolvedEvents).toHaveLength(1);
    expect(resolvedEvents[0]).toMatchObject({ actor: "alertmanager", data: { via: "alert" } });
    const pending = await h.db.pool.query("SELECT pending_action FROM alert_groups WHERE incident_id = $1", [
      id,
    ]);
    expect(pending.rows[0].pending_action).toBeNull();
  });
});

describe("notifications left unprocessed by a crash", () => {
  it("are processed by the worker's sweep", async () => {
    const body = webhookBody({ alertname: "AfterCrash", alerts: [{ pod: "a", startsAt: new Date() }] });
    const text = JSON.stringify(body);
    const row = await insertNotification(h.db.pool, {
      dedupKey: "crash-test",
      groupKey: body.groupKey as string,
      body: text,
      receivedAt: new Date(),
      processAfter: new Date(Date.now() - 1),
    });
    expect(row.duplicate).toBe(false);
    await feature.processor.sweep();
    const n = await h.db.pool.query(
      "SELECT processed_at FROM alert_notifications WHERE dedup_key = 'crash-test'",
    );
    expect(n.rows[0].processed_at).not.toBeNull();
    const g = await h.db.pool.query("SELECT incident_id FROM alert_groups WHERE group_key = $1", [
      body.groupKey,
    ]);
    expect(g.rows[0].incident_id).not.toBeNull();
  });
});
