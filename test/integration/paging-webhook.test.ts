import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseFirebreakConfig } from "../../src/config.js";
import type { FirebreakConfig } from "../../src/config.js";
import type { Role } from "../../src/core/incident/roles.js";
import { declareIncident } from "../../src/incidents/declare-incident.js";
import { createLogger } from "../../src/log.js";
import { DEFAULT_PAGING_SETTINGS } from "../../src/paging/context.js";
import type { PagingContext } from "../../src/paging/context.js";
import { pagingChangeListener } from "../../src/paging/paging-change-listener.js";
import { createIncidentNotifier, pagingPorts } from "../support/wiring.js";
import { processEscalation } from "../../src/paging/process-escalation.js";
import { processDelivery } from "../../src/paging/deliver-page.js";
import { WEBHOOK_HEADERS, signWebhook } from "../../src/providers/webhook.js";
import { getDelivery } from "../../src/store/deliveries/page-deliveries.js";
import { updateIncident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

const SECRET = "whsec-test-0123456789";
const T0 = new Date("2026-11-23T10:00:00Z");

interface Received {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

let db: TestDatabase;
let config: FirebreakConfig;
let server: Server;
let url: string;
const received: Received[] = [];
/** Status codes the fake gateway answers with, in order; then 200. */
let script: number[] = [];

function context(overrides: Partial<PagingContext["settings"]> = {}): PagingContext {
  return {
    pool: db.pool,
    clock: { now: () => T0 },
    config,
    log: createLogger("silent"),
    settings: {
      ...DEFAULT_PAGING_SETTINGS,
      webhook: { url, secret: SECRET },
      webhookBackoffMs: 1_000,
      ...overrides,
    },
    ...pagingPorts(),
  };
}

/** Declares an incident (with a channel) and pages its first step: one webhook delivery. */
async function pagedIncident(ctx: PagingContext): Promise<{ incidentId: number; deliveryId: number }> {
  const out = await declareIncident(
    {
      pool: db.pool,
      clock: ctx.clock,
      config,
      log: ctx.log,
      roles: { rolesOf: async () => new Set<Role>() },
      notifier: createIncidentNotifier(),
      changeListeners: [pagingChangeListener(ctx)],
    },
    { title: "Payments down", severity: "P0", actor: "U0ADMIN", via: "slash" },
  );
  const incidentId = out.incident!.id;
  await updateIncident(db.pool, incidentId, { channelId: `C0INC${incidentId}` });
  await processEscalation(ctx, incidentId, T0);
  const res = await db.pool.query(
    "SELECT id FROM page_deliveries WHERE incident_id = $1 AND method_type = 'webhook'",
    [incidentId],
  );
  expect(res.rows).toHaveLength(1);
  return { incidentId, deliveryId: Number(res.rows[0].id) };
}

const after = (ms: number) => new Date(T0.getTime() + ms);

beforeAll(async () => {
  db = await createTestDatabase();
  config = parseFirebreakConfig(`
timezone: UTC
escalation_policies:
  default:
    steps:
      - { notify: [{ user: U0ONCALL }], ack_timeout: 15m }
`);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pages`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await db?.drop();
});

describe("the outbound page webhook", () => {
  it("retries with exponential backoff while the gateway fails, then delivers a correctly signed body", async () => {
    const ctx = context();
    const { deliveryId } = await pagedIncident(ctx);
    received.length = 0;
    script = [500, 503];
    const first = await processDelivery(ctx, deliveryId, T0);
    expect(first).toMatchObject({ kind: "retry", attempts: 1, error: "HTTP 500" });
    expect(first.kind === "retry" && first.next.dueAt).toBe(after(1_000).getTime());
    expect(await processDelivery(ctx, deliveryId, after(500))).toMatchObject({ kind: "wait" });
    const second = await processDelivery(ctx, deliveryId, after(1_000));
    expect(second).toMatchObject({ kind: "retry", attempts: 2, error: "HTTP 503" });
    expect(second.kind === "retry" && second.next.dueAt).toBe(after(3_000).getTime());
    expect(await processDelivery(ctx, deliveryId, after(3_000))).toEqual({ kind: "delivered", attempts: 3 });
    expect(await processDelivery(ctx, deliveryId, after(9_000))).toEqual({ kind: "inactive" });
    expect((await getDelivery(db.pool, deliveryId))?.status).toBe("delivered");

    expect(received).toHaveLength(3);
    for (const r of received) {
      const ts = Number(r.headers[WEBHOOK_HEADERS.timestamp]);
      expect(r.headers[WEBHOOK_HEADERS.signature]).toBe(signWebhook(SECRET, ts, r.body));
      expect(r.headers[WEBHOOK_HEADERS.signature]).not.toBe(signWebhook("wrong", ts, r.body));
      expect(r.headers[WEBHOOK_HEADERS.delivery]).toBe(String(deliveryId));
      expect(r.headers["content-type"]).toBe("application/json");
    }
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      type: "page",
      user_id: "U0ONCALL",
      incident: { severity: "P0", title: "Payments down" },
      policy: "default",
      step: 0,
      repeat: 0,
    });
  });

  it("dead-letters a page the gateway never takes: recorded in the timeline and posted in the channel", async () => {
    const ctx = context({ webhookMaxAttempts: 3 });
    const { incidentId, deliveryId } = await pagedIncident(ctx);
    script = [500, 500, 500, 500];
    expect((await processDelivery(ctx, deliveryId, T0)).kind).toBe("retry");
    expect((await processDelivery(ctx, deliveryId, after(1_000))).kind).toBe("retry");
    expect(await processDelivery(ctx, deliveryId, after(3_000))).toMatchObject({ kind: "dead", attempts: 3 });
    expect(await processDelivery(ctx, deliveryId, after(60_000))).toEqual({ kind: "inactive" });
    script = [];
    const dead = (await listTimeline(db.pool, incidentId)).filter(
      (e) => e.kind === "page.webhook_dead_letter",
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]!.data).toMatchObject({
      delivery: deliveryId,
      user: "U0ONCALL",
      attempts: 3,
      error: "HTTP 500",
    });
    const posts = await db.pool.query(
      "SELECT args FROM slack_outbox WHERE incident_id = $1 AND args->>'channel' = $2",
      [incidentId, `C0INC${incidentId}`],
    );
    expect(posts.rows.map((r: { args: { text: string } }) => r.args.text).join("\n")).toContain(
      "The page webhook never took the page to <@U0ONCALL>",
    );
  });

  it("counts an unreachable gateway as a failure to retry", async () => {
    const ctx = context();
    const { deliveryId } = await pagedIncident(ctx);
    const closed = {
      ...ctx,
      settings: { ...ctx.settings, webhook: { url: "http://127.0.0.1:9/x", secret: SECRET } },
    };
    expect(await processDelivery(closed, deliveryId, T0)).toMatchObject({ kind: "retry", attempts: 1 });
    expect(await processDelivery(ctx, deliveryId, after(1_000))).toMatchObject({ kind: "delivered" });
  });

  it("withdraws an escalation page still retrying once the incident is acknowledged: no page after an ack", async () => {
    const ctx = context();
    const { incidentId, deliveryId } = await pagedIncident(ctx);
    received.length = 0;
    script = [500];
    expect((await processDelivery(ctx, deliveryId, T0)).kind).toBe("retry");
    await db.pool.query("UPDATE incidents SET state = 'acknowledged' WHERE id = $1", [incidentId]);
    expect(await processDelivery(ctx, deliveryId, after(1_000))).toEqual({ kind: "inactive" });
    expect(received).toHaveLength(1); // only the attempt made before the ack
    expect((await getDelivery(db.pool, deliveryId))?.status).toBe("withdrawn");
    const withdrawn = (await listTimeline(db.pool, incidentId)).filter((e) => e.kind === "page.withdrawn");
    expect(withdrawn).toHaveLength(1);
    expect(withdrawn[0]!.data).toMatchObject({ channel: "webhook", user: "U0ONCALL" });
  });
});
