import { randomBytes } from "node:crypto";
import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertmanagerClient } from "../../src/alerts/alertmanager-api.js";
import type { AlertmanagerClient, PostableAlert } from "../../src/alerts/alertmanager-api.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { startAlertmanager } from "../support/alertmanager-peer.js";
import type { AlertmanagerPeer } from "../support/alertmanager-peer.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

const CONFIG = `${TEST_CONFIG_YAML}
alerts:
  routes:
    - match: { namespace: checkout }
      invite: [U0CAROL]
  on_all_resolved: auto_resolve
  silence_durations: [1h, 4h]
`;

/**
 * A loopback TCP forwarder on a port of its own: Firebreak needs ALERTMANAGER_URL before
 * it starts, and Alertmanager needs Firebreak's webhook URL before it starts.
 */
class Forwarder {
  target: number | null = null;
  private readonly sockets = new Set<Socket>();
  readonly server: Server = createServer((client) => {
    this.sockets.add(client);
    client.on("close", () => this.sockets.delete(client));
    if (this.target === null) return void client.destroy();
    const upstream = connect(this.target, "127.0.0.1");
    this.sockets.add(upstream);
    upstream.on("close", () => this.sockets.delete(upstream));
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }
  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const WAIT = 30_000;
const token = randomBytes(18).toString("base64url");
const forwarder = new Forwarder();
let h: Harness;
let peer: AlertmanagerPeer;
let am: AlertmanagerClient;

beforeAll(async () => {
  const port = await forwarder.listen();
  h = await startHarness({
    configYaml: CONFIG,
    env: { ALERTMANAGER_TOKEN: token, ALERTMANAGER_URL: `http://127.0.0.1:${port}` },
  });
  peer = await startAlertmanager({ webhookUrl: `${h.url}/alerts/alertmanager`, bearerToken: token });
  forwarder.target = Number(new URL(peer.apiUrl).port);
  am = createAlertmanagerClient({ baseUrl: peer.apiUrl });
});
afterAll(async () => {
  await peer?.stop();
  await h?.stop();
  await forwarder.close();
});

const incidentOfGroup = (alertname: string) =>
  eventually(
    async () => {
      const g = await h.db.pool.query<{ incident_id: string | null }>(
        "SELECT incident_id FROM alert_groups WHERE group_labels->>'alertname' = $1",
        [alertname],
      );
      const id = g.rows[0]?.incident_id;
      if (!id) return null;
      const incident = await getIncident(h.db.pool, Number(id));
      return incident?.summaryTs ? incident : null;
    },
    `incident of ${alertname} with its summary (Alertmanager said:\n${peer.logs().slice(-2000)})`,
    WAIT,
  );

const summaryWhen = (incident: Incident, wanted: (text: string) => boolean, timeoutMs = WAIT) =>
  eventually(
    () => {
      const m = h.emulator.messages(incident.channelId!).find((x) => x.ts === incident.summaryTs);
      const text = JSON.stringify(m?.blocks ?? []);
      return wanted(text) ? m : null;
    },
    `summary of #${incident.id}`,
    timeoutMs,
  );

const alerts = (alertname: string, pods: string[], extra: Partial<PostableAlert> = {}): PostableAlert[] =>
  pods.map((pod) => ({
    labels: { alertname, namespace: "checkout", pod, severity: "critical" },
    annotations: {
      summary: `${pod} returns 500s <!channel>`,
      runbook_url: "https://runbooks.example.com/checkout",
    },
    startsAt: new Date(Date.now() - 5_000),
    generatorURL: "http://prometheus.example:9090/graph?g0.expr=up",
    ...extra,
  }));

describe("a real Alertmanager driving incidents", () => {
  it("opens an incident channel with a summary of the firing alerts, then resolves it when they resolve", async () => {
    const firing = alerts("CheckoutFailing", ["web-1", "web-2"]);
    await am.postAlerts(firing);
    const incident = await incidentOfGroup("CheckoutFailing");
    expect(incident).toMatchObject({ severity: "P1", source: "alertmanager", state: "declared" });
    const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
    expect(channel.name).toMatch(/checkoutfailing-checkout/);
    await eventually(() => channel.members.includes("U0CAROL"), "routed responder invited");
    const summary = await summaryWhen(incident, (t) => t.includes("2 firing"));
    const text = JSON.stringify(summary.blocks);
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toMatch(/"mrkdwn","text":"[^"]*<!channel>/);
    expect(text).toContain("<https://runbooks.example.com/checkout|runbook>");
    expect(text).toContain("alert.silence");
    const states = await h.db.pool.query(
      "SELECT a.status FROM alert_states a JOIN alert_groups g ON g.id = a.group_id WHERE g.incident_id = $1",
      [incident.id],
    );
    expect(states.rows).toEqual([{ status: "firing" }, { status: "firing" }]);

    await am.postAlerts(firing.map((a) => ({ ...a, endsAt: new Date(Date.now() - 1_000) })));
    await eventually(
      async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
      `incident resolved (Alertmanager said:\n${peer.logs().slice(-2000)})`,
      WAIT,
    );
    await summaryWhen(incident, (t) => t.includes("0 firing") && t.includes("2 resolved"));
    const kinds = (await listTimeline(h.db.pool, incident.id)).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "incident.declared",
        "alert.received",
        "alert.added",
        "alert.resolved",
        "alert.all_resolved",
        "incident.resolved",
      ]),
    );
    expect((await auditTimeline(h.db.pool, { incidentId: incident.id })).broken).toEqual([]);
  });

  it("creates a real silence from the summary's Silence control and records it", async () => {
    await am.postAlerts(alerts("CheckoutSlow", ["web-3"]));
    const incident = await incidentOfGroup("CheckoutSlow");
    const summary = await summaryWhen(incident, (t) => t.includes("alert.silence"));
    const res = await h.sender.selectOption({
      userId: "U0ALICE",
      channelId: incident.channelId!,
      messageTs: summary.ts,
      actionId: "alert.silence",
      selectedValue: `${incident.id}:1h`,
    });
    expect(res.status).toBe(200);
    const event = await eventually(
      async () => (await listTimeline(h.db.pool, incident.id)).find((e) => e.kind === "alert.silenced"),
      "alert.silenced recorded",
    );
    expect(event.actor).toBe("U0ALICE");
    const data = event.data as { silenceId: string; duration: string };
    expect(data.duration).toBe("1h");
    const silence = await am.getSilence(data.silenceId);
    expect(silence.state).toBe("active");
    expect(silence.createdBy).toContain("U0ALICE");
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        { name: "alertname", value: "CheckoutSlow", isRegex: false, isEqual: true },
        { name: "namespace", value: "checkout", isRegex: false, isEqual: true },
      ]),
    );
    const hour = silence.endsAt.getTime() - silence.startsAt.getTime();
    expect(Math.abs(hour - 3_600_000)).toBeLessThan(5_000);
    await eventually(
      () => h.emulator.messages(incident.channelId!).find((m) => m.text.includes(data.silenceId)),
      "silence announced in the channel",
    );
    await summaryWhen(incident, (t) => t.includes("Silenced until"));
  });
});
