import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staticPeople } from "../../src/core/people.js";
import { systemClock } from "../../src/core/ports.js";
import { getIncident, listIncidents } from "../../src/store/incidents/incidents.js";
import { incidentPagesRouter } from "../../src/web/incident-pages.js";
import { eventually, startHarness } from "../support/harness.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let incidentId: number;

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${h.url}${path}`, { headers });

async function command(text: string, userId: string, channelId = "C0INCIDENTS") {
  const res = await h.sender.slashCommand({ command: "/incident", text, userId, channelId });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  h = await startHarness();
  await command("declare P1 Checkout <b>failing</b> & slow", "U0CAROL");
  const incident = await eventually(async () => (await listIncidents(h.db.pool))[0], "incident declared");
  incidentId = incident.id;
  const ref = `#${incidentId}`;
  await command(`ack ${ref}`, "U0CAROL");
  await command(`note ${ref} follow-up: alert on checkout latency`, "U0CAROL");
  await command(`resolve ${ref} rolled back the release`, "U0BOB");
  await eventually(async () => (await getIncident(h.db.pool, incidentId))?.state === "resolved", "resolved");
});
afterAll(async () => {
  await h?.stop();
});

describe("the incident list page", () => {
  it("lists incidents with number, title, severity, state, commander and response times, escaped", async () => {
    const res = await get("/incidents");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const body = await res.text();
    expect(body).toContain(`href="/incidents/${incidentId}"`);
    expect(body).toContain("Checkout &lt;b&gt;failing&lt;/b&gt; &amp; slow");
    expect(body).not.toContain("<b>failing</b>");
    for (const heading of ["severity", "state", "commander", "age", "time to acknowledge", "time to resolve"])
      expect(body).toContain(`<th>${heading}</th>`);
    expect(body).toMatch(/sev-P1">P1</);
    expect(body).toContain(">resolved<");
    expect(body).toContain("U0CAROL");
  });
});

describe("one incident's page", () => {
  it("shows the timeline with the audit chain verified, export links and a postmortem draft", async () => {
    const body = await (await get(`/incidents/${incidentId}`)).text();
    expect(body).toMatch(/id="audit" class="ok">\s*Audit chain verified: \d+ events/);
    expect(body).toContain('data-kind="incident.declared"');
    expect(body).toContain('data-kind="incident.acknowledged"');
    expect(body).toContain('data-kind="incident.resolved"');
    expect(body).toContain(`/incidents/${incidentId}/timeline.md`);
    expect(body).toContain(`/incidents/${incidentId}/timeline.json`);
    expect(body).toContain('id="postmortem"');
    expect(body).toContain("alert on checkout latency");
    expect(body).toContain("resolved after");
    expect(body).toContain("“rolled back the release”");
  });

  it("exports the timeline as Markdown and as JSON that says it is verified", async () => {
    const md = await (await get(`/incidents/${incidentId}/timeline.md`)).text();
    expect(md).toContain(`# Incident #${incidentId}: Checkout <b>failing</b> & slow`);
    expect(md).toMatch(/Audit chain: verified \(\d+ events\)/);
    const res = await get(`/incidents/${incidentId}/timeline.json`);
    expect(res.headers.get("content-type")).toContain("application/json");
    const json = (await res.json()) as { verified: boolean; events: { kind: string; hash: string }[] };
    expect(json.verified).toBe(true);
    expect(json.events.map((e) => e.kind)).toContain("incident.resolved");
  });

  it("offers the postmortem draft as Markdown with times to acknowledge and resolve", async () => {
    const md = await (await get(`/incidents/${incidentId}/postmortem.md`)).text();
    expect(md).toContain("## Summary");
    expect(md).toMatch(/- Time to acknowledge: \d+s/);
    expect(md).toMatch(/- Time to resolve: \d+s/);
    expect(md).toContain("### Suggested from the timeline\n\n- alert on checkout latency");
  });

  it("answers 404 for an incident that does not exist", async () => {
    expect((await get("/incidents/999999")).status).toBe(404);
    expect((await get("/incidents/not-a-number")).status).toBe(404);
  });

  it("says the chain is broken when an event was altered behind Firebreak's back", async () => {
    const client = await h.db.pool.connect();
    try {
      await client.query("ALTER TABLE timeline_events DISABLE TRIGGER USER");
      await client.query(
        "UPDATE timeline_events SET data = jsonb_set(data, '{text}', '\"edited\"') WHERE incident_id = $1 AND kind = 'incident.note'",
        [incidentId],
      );
      await client.query("ALTER TABLE timeline_events ENABLE TRIGGER USER");
    } finally {
      client.release();
    }
    const body = await (await get(`/incidents/${incidentId}`)).text();
    expect(body).toMatch(
      /class="broken">Audit chain BROKEN: incident \d+, event \d+: content does not match/,
    );
    const json = (await (await get(`/incidents/${incidentId}/timeline.json`)).json()) as {
      verified: boolean;
    };
    expect(json.verified).toBe(false);
  });
});

describe("metrics for operators", () => {
  it("exposes request, outbox, Slack, page, run and job counters and latencies on /metrics", async () => {
    const text = await (await get("/metrics")).text();
    for (const [name, type] of [
      ["firebreak_http_requests_total", "counter"],
      ["firebreak_http_request_duration_seconds", "histogram"],
      ["firebreak_outbox_pending", "gauge"],
      ["firebreak_outbox_oldest_pending_seconds", "gauge"],
      ["firebreak_slack_calls_total", "counter"],
      ["firebreak_slack_call_duration_seconds", "histogram"],
      ["firebreak_pages_total", "counter"],
      ["firebreak_page_delivery_seconds", "histogram"],
      ["firebreak_runs_total", "counter"],
      ["firebreak_run_duration_seconds", "histogram"],
      ["firebreak_jobs_total", "counter"],
      ["firebreak_job_duration_seconds", "histogram"],
      ["firebreak_reconciler_lag_seconds", "gauge"],
    ])
      expect(text, name).toContain(`# TYPE ${name} ${type}`);
    expect(text).toMatch(/firebreak_http_requests_total\{route="\/slack\/events",code="200"\} [1-9]/);
  });
});

describe("access beyond loopback", () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    // Every request is treated as remote: the test cannot reach a non-loopback address.
    app.use(
      incidentPagesRouter({
        pool: h.db.pool,
        clock: systemClock,
        config: h.config,
        people: staticPeople(new Map()),
        followUps: h.runtime.incidents,
        access: { isLocal: () => false, credentials: { user: "ops", password: "s3cret" } },
      }),
    );
    app.use(
      "/nocreds",
      incidentPagesRouter({
        pool: h.db.pool,
        clock: systemClock,
        config: h.config,
        people: staticPeople(new Map()),
        followUps: h.runtime.incidents,
        access: { isLocal: () => false },
      }),
    );
    server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

  it("asks a remote reader for credentials, refuses wrong ones and accepts the configured ones", async () => {
    const none = await fetch(`${base}/incidents`);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Basic/);
    expect(
      (await fetch(`${base}/incidents`, { headers: { authorization: basic("ops", "nope") } })).status,
    ).toBe(401);
    const ok = await fetch(`${base}/incidents/${incidentId}`, {
      headers: { authorization: basic("ops", "s3cret") },
    });
    expect(ok.status).toBe(200);
  });

  it("asks for the credentials on loopback too once they are configured (a sidecar proxy connects from loopback)", async () => {
    const app = express();
    app.use(
      incidentPagesRouter({
        pool: h.db.pool,
        clock: systemClock,
        config: h.config,
        people: staticPeople(new Map()),
        followUps: h.runtime.incidents,
        access: { credentials: { user: "ops", password: "s3cret" } },
      }),
    );
    const local = app.listen(0, "127.0.0.1");
    await new Promise((r) => local.once("listening", r));
    try {
      const url = `http://127.0.0.1:${(local.address() as AddressInfo).port}/incidents`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: basic("ops", "s3cret") } })).status).toBe(200);
    } finally {
      local.closeAllConnections();
      await new Promise((r) => local.close(r));
    }
  });

  it("refuses remote readers outright when no credentials are configured", async () => {
    const res = await fetch(`${base}/nocreds/incidents`, {
      headers: { authorization: basic("ops", "s3cret") },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("FIREBREAK_WEB_USER");
  });
});
