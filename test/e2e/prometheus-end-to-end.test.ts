import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { getIncident } from "../../src/store/incidents/incidents.js";
import type { Incident } from "../../src/store/incidents/incidents.js";
import { listTimeline } from "../../src/store/timeline/timeline-events.js";
import { runAlertmanager } from "../support/alertmanager-peer.js";
import type { AlertmanagerPeer } from "../support/alertmanager-peer.js";
import { TEST_CONFIG_YAML, eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";
import { MetricsTarget, startPrometheus } from "../support/prometheus.js";
import type { PrometheusServer } from "../support/prometheus.js";

/**
 * The whole path with real programs: Debian's `prometheus` scrapes a target of the test's,
 * evaluates the rule of deploy/prometheus/alert-rules.yml and sends to Debian's
 * `prometheus-alertmanager` running deploy/prometheus/alertmanager.yml, which posts to
 * Firebreak. The example files are used as they are, except for loopback addresses, the
 * token and shorter intervals.
 */
const DEPLOY = path.resolve(import.meta.dirname, "../../deploy/prometheus");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- YAML documents, edited in place
type Doc = Record<string, any>;
const example = (file: string) => parse(readFileSync(path.join(DEPLOY, file), "utf8")) as Doc;

const CONFIG = `${TEST_CONFIG_YAML}
alerts:
  routes:
    - match: { service: checkout }
      invite: [U0CAROL]
  on_all_resolved: auto_resolve
heartbeats:
  - { name: watchdog, token_env: WATCHDOG_HEARTBEAT_TOKEN, interval: 3s, grace: 2s, severity: P1 }
jobs: { heartbeat_check: 1s }
`;

const WAIT = 60_000;
const token = randomBytes(18).toString("base64url");
const watchdogToken = randomBytes(18).toString("base64url");
const target = new MetricsTarget();
let h: Harness;
let am: AlertmanagerPeer;
let prom: PrometheusServer;

const logs = () =>
  `Prometheus said:\n${prom?.logs().slice(-1500) ?? ""}\nAlertmanager said:\n${am?.logs().slice(-1500) ?? ""}`;

beforeAll(async () => {
  await target.start();
  h = await startHarness({
    configYaml: CONFIG,
    env: { ALERTMANAGER_TOKEN: token, WATCHDOG_HEARTBEAT_TOKEN: watchdogToken },
  });

  const amConfig = example("alertmanager.yml");
  Object.assign(amConfig.route, { group_wait: "1s", group_interval: "1s" });
  const receiver = (name: string) => amConfig.receivers.find((r: Doc) => r.name === name).webhook_configs[0];
  const webhook = receiver("firebreak");
  webhook.url = `${h.url}/alerts/alertmanager`;
  webhook.http_config.authorization = { type: "Bearer", credentials: token };
  const watchdog = amConfig.route.routes.find((r: Doc) => r.receiver === "firebreak-watchdog");
  Object.assign(watchdog, { group_interval: "1s", repeat_interval: "1s" });
  const beat = receiver("firebreak-watchdog");
  beat.url = `${h.url}/heartbeats/watchdog`;
  beat.http_config.authorization = { type: "Bearer", credentials: watchdogToken };
  am = await runAlertmanager(stringify(amConfig));

  const promConfig = example("prometheus.yml");
  promConfig.global = { scrape_interval: "1s", scrape_timeout: "1s", evaluation_interval: "1s" };
  promConfig.alerting.alertmanagers[0].static_configs[0].targets = [new URL(am.apiUrl).host];
  promConfig.scrape_configs[0].static_configs[0].targets = [`127.0.0.1:${target.port}`];
  const rules = example("alert-rules.yml");
  const instanceDown = rules.groups[0].rules.find((r: Doc) => r.alert === "InstanceDown");
  instanceDown.for = "5s";
  prom = await startPrometheus(stringify(promConfig), { "alert-rules.yml": stringify(rules) });
});

afterAll(async () => {
  await prom?.stop();
  await am?.stop();
  await h?.stop();
  await target.stop();
});

const incidentOpened = () =>
  eventually(
    async () => {
      const g = await h.db.pool.query<{ incident_id: string | null }>(
        "SELECT incident_id FROM alert_groups WHERE group_labels->>'alertname' = 'InstanceDown'",
      );
      const id = g.rows[0]?.incident_id;
      const incident = id ? await getIncident(h.db.pool, Number(id)) : null;
      return incident?.summaryTs ? incident : null;
    },
    `an incident for InstanceDown (${logs()})`,
    WAIT,
  );

describe("Prometheus → Alertmanager → Firebreak, with the example configs", () => {
  it(
    "opens an incident when the target goes down and resolves it when it comes back",
    { timeout: 120_000 },
    async () => {
      // Prometheus must have scraped the target while it was up (up == 1) first.
      await eventually(
        async () => {
          const res = await fetch(`${prom.apiUrl}/api/v1/query?query=up`);
          const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
          return body.data.result[0]?.value[1] === "1";
        },
        `Prometheus scraping the target (${logs()})`,
        WAIT,
      );

      await target.stop();
      const incident: Incident = await incidentOpened();
      const instance = `127.0.0.1:${target.port}`;
      expect(incident).toMatchObject({ source: "alertmanager", severity: "P1", state: "declared" });
      expect(incident.title).toContain(`checkout target ${instance} is down`);
      expect(incident.description).toContain(`Prometheus cannot scrape ${instance} (job checkout)`);
      const channel = h.emulator.channels().find((c) => c.id === incident.channelId)!;
      expect(channel.name).toMatch(/instancedown/);
      await eventually(() => channel.members.includes("U0CAROL"), "the routed responder invited");
      const summary = await eventually(() => {
        const m = h.emulator.messages(incident.channelId!).find((x) => x.ts === incident.summaryTs);
        const text = JSON.stringify(m?.blocks ?? []);
        return text.includes("1 firing") ? text : null;
      }, "the summary listing the firing alert");
      // The rule's annotations, rendered: its summary and its runbook as a link.
      expect(summary).toContain(`checkout target ${instance} is down`);
      expect(summary).toContain("<https://runbooks.example.com/instance-down|runbook>");

      await target.start();
      await eventually(
        async () => (await getIncident(h.db.pool, incident.id))?.state === "resolved",
        `the incident resolved after the target came back (${logs()})`,
        WAIT,
      );
      const kinds = (await listTimeline(h.db.pool, incident.id)).map((e) => e.kind);
      expect(kinds).toEqual(
        expect.arrayContaining([
          "incident.declared",
          "alert.added",
          "alert.resolved",
          "alert.all_resolved",
          "incident.resolved",
        ]),
      );
    },
  );

  it(
    "beats the Watchdog heartbeat through Alertmanager, and pages when the pipeline dies",
    { timeout: 120_000 },
    async () => {
      await eventually(
        async () =>
          Number(
            (await h.db.pool.query("SELECT beats FROM heartbeats WHERE name = 'watchdog' AND status = 'up'"))
              .rows[0]?.beats ?? 0,
          ) >= 2,
        `the Watchdog beating (${logs()})`,
        WAIT,
      );
      expect(
        await h.db.pool.query("SELECT 1 FROM alert_groups WHERE source LIKE 'heartbeat:%'"),
      ).toMatchObject({
        rowCount: 0,
      });
      // The monitoring pipeline dies: no more beats, and the missed deadline opens an incident.
      await am.stop();
      const incident = await eventually(
        async () => {
          const g = await h.db.pool.query<{ incident_id: string | null }>(
            "SELECT incident_id FROM alert_groups WHERE group_key = 'heartbeat:watchdog'",
          );
          const id = g.rows[0]?.incident_id;
          return id ? getIncident(h.db.pool, Number(id)) : null;
        },
        "the Watchdog heartbeat's incident",
        WAIT,
      );
      expect(incident).toMatchObject({
        title: "Heartbeat missed: watchdog",
        severity: "P1",
        state: "declared",
      });
    },
  );
});
