import { readFileSync } from "node:fs";
import mysql from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { RESTARTED_AT } from "../../src/actions/kubernetes/index.js";
import { BUNDLED_EXAMPLE_CONFIG } from "../../src/config.js";
import type { KubeApiFake, KubeObject } from "../../src/emulator/kubernetes/index.js";
import { listPages } from "../../src/store/escalations/escalations.js";
import { getIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { getRun } from "../../src/store/runs/runs.js";
import type { Run } from "../../src/store/runs/runs.js";
import { getSelfHeal } from "../../src/store/self-heals/self-heals.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { FIXTURE_TOKEN, webhookBody } from "../fixtures/alertmanager/webhooks.js";
import { CRASHING_POD, startFixtureCluster } from "../fixtures/kubernetes/harness.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";

/**
 * The self-healing routes of firebreak.example.yaml, as shipped, against real targets: the
 * Kubernetes fake (seeded with the ecommerce cluster), MariaDB and a Redis of this file's
 * own. Only what cannot be the same here is changed: the targets' addresses, and the MySQL
 * route's min_time (1 s, not 30: no test waits half a minute), max_count (2, to see the
 * bound) and scope (this file's own schema instead of the `app` user, so that no other
 * test's queries are candidates).
 */
const SCHEMA = `fbt_heal_${process.pid}`;
const SERVER = { host: "127.0.0.1", port: 3306, user: "root" };

interface Route {
  match: Record<string, string>;
  self_heal?: { command: string; params: Record<string, unknown> };
}
interface ExampleConfig {
  slack: Record<string, unknown>;
  alerts: { routes: Route[] };
  targets: Record<string, Record<string, Record<string, unknown>>>;
}

function exampleConfig(fakeRedisUrl: string): string {
  const c = parse(readFileSync(BUNDLED_EXAMPLE_CONFIG, "utf8")) as ExampleConfig;
  c.slack.announcements_channel = "C0INCIDENTS";
  c.targets.kubernetes = {
    local: {
      kubeconfig_env: "FBT_SHOP_KUBECONFIG",
      context: "shop-prod",
      namespaces: ["default", "ecommerce"],
      scale: { min: 1, max: 10 },
    },
  };
  c.targets.mysql!["orders-db"]!.url = `mysql://root@127.0.0.1:3306/${SCHEMA}`;
  c.targets.redis!.cache!.url = fakeRedisUrl;
  const mysqlRoute = c.alerts.routes.find((r) => r.self_heal?.command === "mysql-kill-long-queries")!;
  const { user: _app, ...params } = mysqlRoute.self_heal!.params;
  mysqlRoute.self_heal!.params = { ...params, min_time: 1, max_count: 2, db: SCHEMA };
  return stringify(c);
}

let fake: KubeApiFake;
let redis: PrivateRedis;
let direct: Redis;
let admin: Connection;
let h: Harness;

beforeAll(async () => {
  fake = await startFixtureCluster();
  redis = await startPrivateRedis();
  direct = new Redis(redis.url);
  admin = await mysql.createConnection(SERVER);
  await admin.query(`CREATE DATABASE IF NOT EXISTS ${SCHEMA}`);
  h = await startHarness({
    configYaml: exampleConfig(redis.url),
    env: { ALERTMANAGER_TOKEN: FIXTURE_TOKEN, FBT_SHOP_KUBECONFIG: fake.kubeconfigYaml("shop-prod") },
  });
});
afterAll(async () => {
  await h?.stop();
  await admin?.query(`DROP DATABASE IF EXISTS ${SCHEMA}`);
  await admin?.end();
  direct?.disconnect();
  await redis?.stop();
  await fake?.close();
});

/** A signed Alertmanager webhook for one alert with these labels. */
async function alert(alertname: string, labels: Record<string, string>, status: "firing" | "resolved") {
  const body = webhookBody({
    alertname,
    namespace: labels.namespace ?? "ecommerce",
    alerts: [
      { pod: labels.pod ?? "none", severity: "critical", status, startsAt: new Date(Date.now() - 60_000) },
    ],
  }) as { commonLabels: Record<string, string> };
  // One alert: its labels are the group's common labels, as Alertmanager computes them.
  Object.assign(body.commonLabels, labels);
  const res = await fetch(`${h.url}/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${FIXTURE_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function incidentFor(alertname: string): Promise<Incident> {
  return eventually(async () => {
    const res = await h.db.pool.query<{ incident_id: string }>(
      "SELECT incident_id FROM alert_groups WHERE group_key LIKE $1 AND incident_id IS NOT NULL",
      [`%alertname="${alertname}"%`],
    );
    const id = res.rows[0]?.incident_id;
    const incident = id ? await getIncident(h.db.pool, Number(id)) : null;
    return incident?.channelId ? incident : null;
  }, `the incident of ${alertname}`);
}

async function healRun(incidentId: number): Promise<Run> {
  return eventually(
    async () => {
      const sh = await getSelfHeal(h.db.pool, incidentId);
      const run = sh?.runId ? await getRun(h.db.pool, sh.runId) : null;
      return run && ["succeeded", "failed"].includes(run.state) ? run : null;
    },
    `the self-heal of #${incidentId}`,
    20_000,
  );
}

const channelText = (incident: Incident) =>
  h.emulator
    .messages(incident.channelId!)
    .map((m) => `${m.text}\n${JSON.stringify(m.blocks ?? [])}`)
    .join("\n");

const posted = (incident: Incident, needle: string | RegExp, what: string) =>
  eventually(
    () =>
      typeof needle === "string"
        ? channelText(incident).includes(needle)
        : needle.test(channelText(incident)),
    what,
    20_000,
  );

/** Fires the alert, waits for its fix, clears the alert: the report says nobody was paged. */
async function healedBy(alertname: string, labels: Record<string, string>, command: string): Promise<Run> {
  await alert(alertname, labels, "firing");
  const incident = await incidentFor(alertname);
  const run = await healRun(incident.id);
  expect(run.state, run.outcome?.error).toBe("succeeded");
  expect(run).toMatchObject({ command, autoApproved: true });
  await posted(incident, `Self-heal \`${command}\` done`, "what changed");
  await alert(alertname, labels, "resolved");
  await posted(
    incident,
    new RegExp(`Self-healed by \`${command}\` in \\d+ s; nobody was paged\\.`),
    "the report",
  );
  // on_all_resolved: notify (the example's): the recovery is noted, a person resolves.
  await posted(incident, "have cleared", "the all-clear");
  expect(await listPages(h.db.pool, incident.id)).toEqual([]);
  return run;
}

const deployment = () =>
  fake.state.get<
    KubeObject & {
      spec: {
        template: {
          metadata?: { annotations?: Record<string, string> };
          spec: { containers: { image: string }[] };
        };
      };
    }
  >("apps/deployments", "ecommerce", "app")!;

describe("the example routes heal their alerts on real targets", () => {
  it("a bad deploy: rolls the deployment back to its previous revision", async () => {
    expect(deployment().spec.template.spec.containers[0]?.image).toBe("registry.example.com/shop/app:1.5.0");
    const run = await healedBy("CheckoutErrorsAfterDeploy", { namespace: "ecommerce" }, "k8s-rollback");
    expect(deployment().spec.template.spec.containers[0]?.image).toBe("registry.example.com/shop/app:1.4.2");
    expect(run.preview?.changes.join("\n")).toMatch(/ecommerce\/app/);
  });

  it("a pod crash loop: restarts its deployment with a rolling update", async () => {
    expect(deployment().spec.template.metadata?.annotations?.[RESTARTED_AT]).toBeUndefined();
    await healedBy(
      "KubePodCrashLooping",
      { namespace: "ecommerce", pod: CRASHING_POD },
      "k8s-rollout-restart",
    );
    expect(deployment().spec.template.metadata?.annotations?.[RESTARTED_AT]).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("Redis memory: raises maxmemory within the target's bounds", async () => {
    await direct.config("SET", "maxmemory", "1gb");
    const run = await healedBy("RedisMemoryHigh", { namespace: "cache" }, "redis-set-maxmemory");
    expect(run.preview?.changes).toEqual(["maxmemory 1gb → 2gb on cache"]);
    expect(((await direct.config("GET", "maxmemory")) as string[])[1]).toBe(String(2 * 1024 ** 3));
  });

  it('MySQL "Too many connections": kills the longest-running statements, at most max_count', async () => {
    const sleepers = await Promise.all(
      [1, 2, 3].map(async () => {
        const conn = await mysql.createConnection({ ...SERVER, database: SCHEMA });
        const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT CONNECTION_ID() AS id");
        const outcome = conn.query("SELECT SLEEP(60)").then(
          () => "finished",
          () => "killed",
        );
        return { id: Number(rows[0]?.id), conn, outcome };
      }),
    );
    try {
      await eventually(async () => {
        const [rows] = await admin.query<mysql.RowDataPacket[]>(
          "SELECT count(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ? AND TIME >= 1 AND COMMAND = 'Query'",
          [SCHEMA],
        );
        return Number(rows[0]?.n) === 3;
      }, "three statements running a second");
      const run = await healedBy(
        "MySQLTooManyConnections",
        { namespace: "ecommerce" },
        "mysql-kill-long-queries",
      );
      expect(run.preview?.changes).toHaveLength(2);
      expect(run.outcome?.summary).toMatch(/^orders-db: killed 2 connections running 1 s or more/);
      const outcomes = await Promise.all(sleepers.slice(0, 2).map((s) => s.outcome));
      expect(outcomes).toEqual(["killed", "killed"]);
      const [left] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND COMMAND = 'Query'",
        [SCHEMA],
      );
      expect(left.map((r) => Number(r.ID))).toEqual([sleepers[2]!.id]);
    } finally {
      for (const s of sleepers) {
        await admin.query("KILL CONNECTION ?", [s.id]).catch(() => undefined);
        s.conn.destroy();
      }
    }
  });

  it("connection-pool exhaustion: posts a diagnostic bundle and pages a person at once, with no fix tried", async () => {
    await alert("CheckoutConnectionPoolExhausted", { namespace: "ecommerce" }, "firing");
    const incident = await incidentFor("CheckoutConnectionPoolExhausted");
    await eventually(
      async () => (await listPages(h.db.pool, incident.id)).length > 0,
      "a person paged at once",
    );
    const succeeded = await eventually(async () => {
      const done = (await listTimeline(h.db.pool, incident.id)).filter((e) => e.kind === "run.succeeded");
      return done.length === 3 ? done : null;
    }, "the three diagnostics");
    expect(succeeded.map((e) => (e.data as { command: string }).command).sort()).toEqual([
      "mysql-connections",
      "mysql-processlist",
      "mysql-status",
    ]);
    await posted(incident, "max_connections", "the bundle in the channel");
    expect(await getSelfHeal(h.db.pool, incident.id)).toBeNull();
    expect(incident.severity).toBe("P1");
  });
});
