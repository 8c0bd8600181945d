import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkAlertmanagerAuth } from "../../src/alerts/auth.js";
import { webhookV4Schema } from "../../src/alerts/alertmanager-payload.js";
import { parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import type { EnvOptions } from "../../src/config.js";
import { fireTestAlert } from "../../src/console/console-actions.js";
import type { ConsolePanels } from "../../src/console/console-view.js";
import { startLocalMode } from "../../src/local-mode.js";
import type { LocalMode } from "../../src/local-mode.js";
import { createLogger } from "../../src/log.js";
import { createRuntime } from "../../src/runtime.js";
import type { Runtime } from "../../src/runtime.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";
import { eventually, TEST_CONFIG_YAML } from "../support/harness.js";

let db: TestDatabase;
let local: LocalMode;
let runtime: Runtime;
let consoleUrl: string;
let env: EnvOptions;
const printed: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  env = readEnvOptions({
    DATABASE_URL: db.url,
    REDIS_URL: process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
    PORT: "0",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
  });
  expect(env.localMode).toBe(true);
  const logger = createLogger(env.logLevel);
  local = await startLocalMode({ env, logger, print: (line) => printed.push(line) });
  runtime = await createRuntime({
    env,
    config: parseFirebreakConfig(TEST_CONFIG_YAML),
    logger,
    role: "both",
    slack: local.slack,
  });
  const { port } = await runtime.start();
  await local.attach(`http://127.0.0.1:${port}`, runtime);
  consoleUrl = local.consoleUrl.replace(/\/$/, "");
});
afterAll(async () => {
  await runtime?.stop();
  await local?.stop();
  await db?.drop();
});

const api = async (action: string, body: Record<string, unknown>) => {
  const res = await fetch(`${consoleUrl}/console/api/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...((await res.json()) as { ok: boolean; note: string }) };
};
const panels = async (as: string, channel: string) =>
  (await (await fetch(`${consoleUrl}/console/panels?as=${as}&channel=${channel}`)).json()) as ConsolePanels;

async function declared(before: number) {
  return eventually(async () => {
    const all = await listIncidents(db.pool);
    return all.length > before && all[0]!.summaryTs ? all[0] : null;
  }, "incident declared with its summary posted");
}

describe("starting local mode", () => {
  it("prints one line with the console's URL, and the console shows the emulated workspace", async () => {
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain(local.consoleUrl);
    const res = await fetch(`${consoleUrl}/`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("# incidents");
    for (const name of ["alice", "bob", "carol", "dave"]) expect(page).toContain(`(@${name})`);
    expect(page).toContain("Fire a test alert");
    expect(page).toContain('<script src="/console/console.js">');
    expect((await fetch(`${consoleUrl}/console/console.js`)).headers.get("content-type")).toContain(
      "javascript",
    );
  });

  it("keeps Slack's Web API on the same port", async () => {
    const res = await fetch(`${local.emulator.apiUrl}auth.test`, {
      method: "POST",
      headers: { authorization: `Bearer ${local.slack.token}` },
    });
    expect(((await res.json()) as { ok: boolean }).ok).toBe(true);
  });

  it("generates an Alertmanager token when none is set, so test alerts are authenticated", () => {
    expect(env.alertmanagerToken).toMatch(/^[0-9a-f]{32}$/);
    expect(local.slack.signingSecret).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("choosing the console's port", () => {
  it("takes any free port when the one next to Firebreak's is taken", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", r));
    const busy = (taken.address() as AddressInfo).port;
    const other = await startLocalMode({
      env: readEnvOptions({ DATABASE_URL: db.url, PORT: String(busy - 1), LOG_LEVEL: "silent" }),
      logger: createLogger("silent"),
      print: () => undefined,
    });
    try {
      expect(new URL(other.consoleUrl).port).not.toBe(String(busy));
      expect((await fetch(other.consoleUrl)).status).toBe(200);
    } finally {
      await other.stop();
      await new Promise((r) => taken.close(r));
    }
  });
});

describe("acting in the console", () => {
  it("declares an incident from a slash command and shows its summary with buttons", async () => {
    const before = (await listIncidents(db.pool)).length;
    const r = await api("send", {
      as: "U0CAROL",
      channel: "C0INCIDENTS",
      text: "/incident declare P2 Search is slow",
    });
    expect(r).toMatchObject({ ok: true });
    const incident = await declared(before);
    const p = await panels("U0CAROL", incident.channelId!);
    expect(p.header).toContain(`#${incident.channelName}`);
    expect(p.messages).toContain("Search is slow");
    expect(p.messages).toContain('data-action-id="incident.ack"');
    await eventually(
      async () => (await panels("U0CAROL", incident.channelId!)).messages.includes("📌 pinned"),
      "summary shown pinned",
    );
  });

  it("sends a signed button click as the chosen user, and Firebreak acts on it", async () => {
    const [incident] = await listIncidents(db.pool);
    const summary = local.emulator.messages(incident!.channelId!).find((m) => m.ts === incident!.summaryTs)!;
    const html = (await panels("U0BOB", incident!.channelId!)).messages;
    const button =
      /<button[^>]*data-ts="([^"]+)" data-block-id="([^"]*)" data-action-id="incident\.ack"/.exec(html);
    expect(button?.[1]).toBe(summary.ts);
    const value = /data-value="([^"]*)"[^>]*data-action-id="incident\.ack"/.exec(html)?.[1];
    const r = await api("click", {
      as: "U0BOB",
      channel: incident!.channelId,
      ts: button![1],
      blockId: button![2],
      actionId: "incident.ack",
      value: value?.replace(/&quot;/g, '"').replace(/&amp;/g, "&"),
    });
    expect(r.ok).toBe(true);
    const acked = await eventually(async () => {
      const i = await getIncident(db.pool, incident!.id);
      return i?.state === "acknowledged" ? i : null;
    }, "acknowledged");
    expect(acked.acknowledgedBy).toBe("U0BOB");
  });

  it("shows a modal for /incident declare without a title and submits it", async () => {
    const before = (await listIncidents(db.pool)).length;
    expect((await api("send", { as: "U0DAVE", channel: "C0INCIDENTS", text: "/incident declare" })).ok).toBe(
      true,
    );
    const view = await eventually(() => local.emulator.views("U0DAVE").at(-1), "modal open");
    const p = await panels("U0DAVE", "C0INCIDENTS");
    expect(p.modal).toContain(`data-view-id="${view.id}"`);
    expect(p.modal).toContain('name="title/title"');
    expect(p.modalKey).toContain(view.id);
    const r = await api("view-submit", {
      as: "U0DAVE",
      viewId: view.id,
      values: {
        title: { title: "Queue backlog" },
        severity: { severity: "P3" },
        description: { description: "" },
      },
    });
    expect(r.ok).toBe(true);
    const incident = await declared(before);
    expect(incident).toMatchObject({ title: "Queue backlog", severity: "P3", declaredBy: "U0DAVE" });
    expect(local.emulator.views("U0DAVE")).toHaveLength(0);
  });

  it("shows ephemeral replies only to the user who got them", async () => {
    await api("send", { as: "U0DAVE", channel: "C0INCIDENTS", text: "/incident help" });
    const mine = await eventually(async () => {
      const p = await panels("U0DAVE", "C0INCIDENTS");
      return p.messages.includes("Only visible to you") && p.messages.includes("/incident") ? p : null;
    }, "help shown to dave");
    expect(mine.messages).toContain("ephemeral");
    const others = await panels("U0ALICE", "C0INCIDENTS");
    expect(others.messages).not.toContain("Only visible to you");
  });

  it("posts a plain message as the user, escaped on the page", async () => {
    const r = await api("send", {
      as: "U0ALICE",
      channel: "C0INCIDENTS",
      text: "hello <script>alert(1)</script>",
    });
    expect(r.ok).toBe(true);
    const p = await panels("U0BOB", "C0INCIDENTS");
    expect(p.messages).toContain("hello &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(p.messages).not.toContain("<script>");
  });

  it("says so when a command or user is wrong instead of failing silently", async () => {
    expect(
      await api("send", { as: "U0NOBODY", channel: "C0INCIDENTS", text: "/incident help" }),
    ).toMatchObject({
      ok: false,
      note: expect.stringContaining("U0NOBODY"),
    });
    expect(await api("alert", { as: "U0ALICE", alertname: "Nope", severity: "critical" })).toMatchObject({
      ok: false,
    });
  });

  it("streams a change event when the workspace changes", async () => {
    const controller = new AbortController();
    const res = await fetch(`${consoleUrl}/console/events`, { signal: controller.signal });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    local.emulator.postAsUser({ channelId: "C0INCIDENTS", userId: "U0BOB", text: "ping" });
    let seen = "";
    for (let i = 0; i < 20 && !seen.includes("event: change"); i++)
      seen += new TextDecoder().decode((await reader.read()).value);
    expect(seen).toContain("event: change");
    controller.abort();
  });
});

describe("the console's guard rails", () => {
  it("refuses actions that are not JSON (no cross-site form posts)", async () => {
    const res = await fetch(`${consoleUrl}/console/api/send`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify({ as: "U0ALICE", channel: "C0INCIDENTS", text: "/incident declare P0 x" }),
    });
    expect(res.status).toBe(415);
  });

  it("refuses requests naming a host other than loopback (DNS rebinding)", async () => {
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      const u = new URL(consoleUrl);
      const req = request(
        { host: u.hostname, port: u.port, path: "/", headers: { host: "evil.example:80" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(403);
  });
});

describe("firing a test alert", () => {
  it("posts a real Alertmanager webhook v4 with the bearer token, and resolves the same group", async () => {
    const received: { auth: string | undefined; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const target = {
        firebreakUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        sender: undefined as never,
        alertmanagerToken: "tok-123",
      };
      const firing = await fireTestAlert(target, {
        alertname: "CheckoutHighErrorRate",
        severity: "critical",
        status: "firing",
        now: new Date("2026-01-01T10:00:00Z"),
      });
      const resolved = await fireTestAlert(target, {
        alertname: "CheckoutHighErrorRate",
        severity: "critical",
        status: "resolved",
        now: new Date("2026-01-01T10:05:00Z"),
        startsAt: new Date("2026-01-01T10:00:00Z"),
      });
      expect(firing.ok && resolved.ok).toBe(true);
      expect(received).toHaveLength(2);
      for (const r of received) {
        expect(checkAlertmanagerAuth(r.auth, "tok-123")).toBe(true);
        expect(webhookV4Schema.safeParse(r.body).success).toBe(true);
      }
      const [a, b] = received.map(
        (r) => r.body as { groupKey: string; alerts: { fingerprint: string; endsAt: string }[] },
      );
      expect(a!.groupKey).toBe(b!.groupKey);
      expect(a!.alerts[0]!.fingerprint).toBe(b!.alerts[0]!.fingerprint);
      expect(a!.alerts[0]!.endsAt).toBe("0001-01-01T00:00:00Z");
      expect(b!.alerts[0]!.endsAt).toBe("2026-01-01T10:05:00.000Z");
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it("reaches Firebreak's Alertmanager receiver from the console", async () => {
    const r = await api("alert", {
      as: "U0ALICE",
      alertname: "MySQLTooManyConnections",
      severity: "warning",
      status: "firing",
    });
    expect(r.note).not.toContain("401");
    expect(r).toMatchObject({ ok: true });
  });
});
