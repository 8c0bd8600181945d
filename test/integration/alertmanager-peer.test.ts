import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertmanagerClient } from "../../src/alerts/alertmanager-api.js";
import type { AlertmanagerClient } from "../../src/alerts/alertmanager-api.js";
import { checkAlertmanagerAuth } from "../../src/alerts/auth.js";
import { toAlertNotification } from "../../src/alerts/notification.js";
import { parseAlertmanagerWebhook } from "../../src/alerts/alertmanager-payload.js";
import { mergeAlertStates } from "../../src/core/alerts/merge.js";
import type { AlertState } from "../../src/core/alerts/merge.js";
import { summarizeAlertGroup } from "../../src/core/alerts/summary.js";
import { startAlertmanager } from "../support/alertmanager-peer.js";
import type { AlertmanagerPeer } from "../support/alertmanager-peer.js";

interface Delivery {
  path: string;
  authorization: string | undefined;
  json: unknown;
}

/** A bare webhook receiver on loopback: keeps what it got and hands it out in order. */
class Receiver {
  private readonly queue: Delivery[] = [];
  private wake: (() => void) | undefined;
  readonly server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      this.queue.push({
        path: req.url ?? "",
        authorization: req.headers.authorization,
        json: JSON.parse(body) as unknown,
      });
      res.writeHead(200).end();
      this.wake?.();
    });
  });

  /** The next delivery that `wanted` accepts, skipping others; fails after `withinMs`. */
  async next(wanted: (d: Delivery) => boolean, withinMs: number, peer: AlertmanagerPeer): Promise<Delivery> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const found = this.queue.findIndex(wanted);
      if (found >= 0) return this.queue.splice(found, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching webhook within ${withinMs} ms; Alertmanager said:\n${peer.logs()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

const status = (d: Delivery) => (d.json as { status?: string }).status;
/** How many alerts a delivery for the FirebreakPeerTest group carries (0 for other groups). */
const peerTestAlerts = (d: Delivery) => {
  const j = d.json as { groupLabels?: { alertname?: string }; alerts?: unknown[] };
  return j.groupLabels?.alertname === "FirebreakPeerTest" ? (j.alerts?.length ?? 0) : 0;
};

describe("a real Alertmanager (Debian's prometheus-alertmanager) as the alert source", () => {
  const token = randomBytes(18).toString("base64url");
  const receiver = new Receiver();
  let peer: AlertmanagerPeer;
  let client: AlertmanagerClient;

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.server.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.server.address() as AddressInfo;
    peer = await startAlertmanager({
      webhookUrl: `http://127.0.0.1:${port}/alerts/alertmanager`,
      bearerToken: token,
      maxAlerts: 2,
    });
    client = createAlertmanagerClient({ baseUrl: peer.apiUrl });
  });

  afterAll(async () => {
    await peer?.stop();
    receiver.server.closeAllConnections();
    await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
  });

  it("runs on loopback without a cluster", async () => {
    const s = await client.status();
    expect(s.version).toMatch(/^0\.\d+\.\d+/);
    expect(s.cluster).toBe("disabled");
  });

  it("delivers firing and then resolved webhooks that Firebreak authenticates, parses and merges", async () => {
    const startsAt = new Date(Date.now() - 10_000);
    const alerts = ["web-1", "web-2"].map((pod) => ({
      labels: { alertname: "FirebreakPeerTest", namespace: "ecommerce", pod, severity: "critical" },
      annotations: { summary: `${pod} is down <!channel>` },
      startsAt,
      generatorURL: "http://prometheus.example:9090/graph",
    }));
    await client.postAlerts(alerts);

    // Alertmanager takes the two alerts one at a time; under load it may notify with only the
    // first, then again a group_interval later with both. Wait for the one that has both.
    const firing = await receiver.next(
      (d) => status(d) === "firing" && peerTestAlerts(d) === 2,
      20_000,
      peer,
    );
    expect(firing.path).toBe("/alerts/alertmanager");
    expect(checkAlertmanagerAuth(firing.authorization, token)).toBe(true);
    expect(checkAlertmanagerAuth(firing.authorization, `${token}x`)).toBe(false);
    const firingNotification = toAlertNotification(parseAlertmanagerWebhook(firing.json), new Date());
    expect(firingNotification.alerts.map((a) => a.labels.pod).sort()).toEqual(["web-1", "web-2"]);
    expect(firingNotification.alerts.every((a) => a.endsAt === null)).toBe(true);
    expect(summarizeAlertGroup(firingNotification).title).toBe("[FIRING:2] FirebreakPeerTest ecommerce");
    const opened = mergeAlertStates(new Map<string, AlertState>(), firingNotification);
    expect(opened.changes.added).toHaveLength(2);

    const endsAt = new Date(Date.now() - 1_000);
    await client.postAlerts(alerts.map((a) => ({ ...a, endsAt })));

    const resolved = await receiver.next(
      (d) => status(d) === "resolved" && peerTestAlerts(d) === 2,
      20_000,
      peer,
    );
    expect(checkAlertmanagerAuth(resolved.authorization, token)).toBe(true);
    const resolvedNotification = toAlertNotification(parseAlertmanagerWebhook(resolved.json), new Date());
    expect(resolvedNotification.alerts.every((a) => a.status === "resolved" && a.endsAt !== null)).toBe(true);
    const closed = mergeAlertStates(opened.states, resolvedNotification);
    expect(closed.changes.resolved.map((a) => a.fingerprint).sort()).toEqual(
      opened.changes.added.map((a) => a.fingerprint).sort(),
    );
    expect(closed.allResolved).toBe(true);
  });

  it("says how many alerts max_alerts left out, and Firebreak resolves none of them", async () => {
    const startsAt = new Date(Date.now() - 10_000);
    await client.postAlerts(
      ["a", "b", "c", "d"].map((pod) => ({
        labels: { alertname: "FirebreakPeerStorm", namespace: "shop", pod },
        startsAt,
      })),
    );
    // Under load Alertmanager may notify before it has all four: wait for the notification
    // that covers the whole group (what was sent plus what max_alerts left out).
    const wanted = (d: Delivery) => {
      const j = d.json as {
        groupLabels?: { alertname?: string };
        alerts?: unknown[];
        truncatedAlerts?: number;
      };
      return (
        j.groupLabels?.alertname === "FirebreakPeerStorm" &&
        (j.alerts?.length ?? 0) + (j.truncatedAlerts ?? 0) === 4
      );
    };
    const delivery = await receiver.next(wanted, 20_000, peer);
    const notification = toAlertNotification(parseAlertmanagerWebhook(delivery.json), new Date());
    expect(notification.alerts).toHaveLength(2);
    expect(notification.truncatedAlerts).toBe(2);
    expect(summarizeAlertGroup(notification).title).toBe("[FIRING:2+] FirebreakPeerStorm shop");
    expect(mergeAlertStates(new Map(), notification).allResolved).toBe(false);
  });

  it("creates a silence that reads back as written, and expires it", async () => {
    const startsAt = new Date(Date.now() - 1_000);
    const endsAt = new Date(Date.now() + 3_600_000);
    const id = await client.createSilence({
      matchers: [
        { name: "alertname", value: "FirebreakPeerTest", isRegex: false },
        { name: "namespace", value: "eco.*", isRegex: true, isEqual: true },
        { name: "env", value: "staging", isRegex: false, isEqual: false },
      ],
      startsAt,
      endsAt,
      createdBy: "alice (via Firebreak)",
      comment: "INC-7: silenced for 1h",
    });
    const silence = await client.getSilence(id);
    expect(silence).toMatchObject({
      id,
      state: "active",
      createdBy: "alice (via Firebreak)",
      comment: "INC-7: silenced for 1h",
    });
    expect(silence.endsAt.getTime()).toBe(endsAt.getTime());
    expect(silence.matchers).toEqual(
      expect.arrayContaining([
        { name: "alertname", value: "FirebreakPeerTest", isRegex: false, isEqual: true },
        { name: "namespace", value: "eco.*", isRegex: true, isEqual: true },
        { name: "env", value: "staging", isRegex: false, isEqual: false },
      ]),
    );
    expect((await client.listSilences()).map((s) => s.id)).toContain(id);

    await client.expireSilence(id);
    expect((await client.getSilence(id)).state).toBe("expired");
  });

  it("refuses a silence that ends before it starts, saying why", async () => {
    await expect(
      client.createSilence({
        matchers: [{ name: "alertname", value: "X", isRegex: false }],
        startsAt: new Date(Date.now() + 60_000),
        endsAt: new Date(Date.now()),
        createdBy: "alice",
        comment: "backwards",
      }),
    ).rejects.toMatchObject({ code: "input_invalid" });
  });

  it("says not_found for an unknown silence", async () => {
    await expect(client.getSilence("00000000-0000-0000-0000-000000000000")).rejects.toMatchObject({
      code: "not_found",
    });
  });
});
