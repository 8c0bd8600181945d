// The chaos harness's load: signed Slack requests through HAProxy (declarations, notes,
// checklist clicks, acks, remediation requests and approvals, a canary), and alerts pushed
// into Alertmanager. Every request is recorded with what it should leave behind in Postgres,
// so that the verdict compares what was sent with what was recorded.
import mysql from "mysql2/promise";
import { APPROVERS, CHECKLIST_ITEMS, PAGED, REQUESTERS, USER_IDS } from "./plan.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const pick = (list) => list[Math.floor(Math.random() * list.length)];

/** Waits until `at` (ms since the load started); false when the load (or, `late`, the whole run) ended. */
async function at(world, ms, late = false) {
  const wait = world.t0 + ms - Date.now();
  if (wait > 0) await sleep(wait);
  return late ? !world.finished : !world.stopping;
}

/**
 * Sends one signed request and records it: HTTP status (0 when the connection failed),
 * ack latency, and what Postgres should show for it once processed.
 */
async function send(world, kind, expect, fn) {
  const sentAt = Date.now();
  const started = performance.now();
  let status = 0;
  let response;
  try {
    response = await fn();
    status = response.status;
  } catch (err) {
    response = { error: String(err?.cause?.code ?? err?.message ?? err) };
  }
  const record = { kind, sentAt, status, ms: performance.now() - started, expect };
  // A command answered in its ack that nothing changed (the database could not take it) was
  // refused, not acknowledged: the person read it at once.
  record.ackText = response?.ackMessage?.text ?? "";
  // Where Firebreak answers after the ack (its response URL), to read what the person was told.
  record.responseId = response?.responseUrl?.split("/response/")[1] ?? null;
  world.requests.push(record);
  return { record, response };
}

const incidentCommand = (world, userId, text, channelId = "C0INCIDENTS") =>
  world.sender.slashCommand({ command: "/incident", text, userId, channelId });

/** Keeps the harness's view of incidents current (to aim clicks and commands at them). */
export async function followIncidents(world) {
  while (!world.finished) {
    try {
      const { rows } = await world.pool.query(
        "SELECT id::int, title, severity, state, channel_id, summary_ts, declared_at FROM incidents ORDER BY id",
      );
      for (const r of rows) world.incidents.set(r.id, r);
    } catch {
      // Postgres restarting: keep the last view
    }
    await sleep(1_000);
  }
}

const inEmulator = (world, incident) =>
  incident.channel_id && world.emulator.state.channels.has(incident.channel_id) ? incident : null;

/** The declarations: P1 ones escalate (the `chaos` policy), P3 ones do not. Half the P1s are acked mid-way. */
export async function declare(world) {
  const { profile: p, tag } = world;
  const stepMs = p.stepSeconds * 1000;
  const escWindow = Math.max(
    0,
    Math.min(0.5 * p.loadSeconds * 1000, p.loadSeconds * 1000 - 2 * stepMs - 5_000),
  );
  const plan = [];
  for (let i = 0; i < p.escalations; i++)
    plan.push({
      i,
      escalating: true,
      atMs: (i / Math.max(1, p.escalations)) * escWindow,
      ackPlanned: i % 2 === 0,
    });
  const rest = p.declarations - p.escalations;
  for (let i = 0; i < rest; i++)
    plan.push({
      i: p.escalations + i,
      escalating: false,
      atMs: (i / Math.max(1, rest)) * 0.8 * p.loadSeconds * 1000,
    });
  plan.sort((a, b) => a.atMs - b.atMs);
  const acks = [];
  for (const d of plan) {
    if (!(await at(world, d.atMs))) break;
    const token = `decl-${d.i}-${tag}`;
    const severity = d.escalating ? "P1" : "P3";
    const decl = { ...d, token, severity };
    world.declarations.push(decl);
    const { record } = await send(world, "declare", { type: "declare", token }, () =>
      incidentCommand(world, pick(USER_IDS), `declare ${severity} Chaos ${token}`),
    );
    decl.status = record.status;
    if (d.escalating && d.ackPlanned && record.status === 200) acks.push(ackLater(world, decl, stepMs));
  }
  await Promise.all(acks);
}

/** The step-2 person acknowledges 3/4 into the second step (after its page, well before the third). */
async function ackLater(world, decl, stepMs) {
  let incident;
  const deadline = Date.now() + 60_000;
  while (!incident && Date.now() < deadline && !world.finished) {
    incident = [...world.incidents.values()].find((i) => i.title.endsWith(decl.token));
    if (!incident) await sleep(500);
  }
  if (!incident) return;
  decl.incidentId = incident.id;
  const ackAt = new Date(incident.declared_at).getTime() + stepMs + 0.75 * stepMs;
  // May fall after the load ends (short runs): the acknowledgement is part of the escalation.
  if (!(await at(world, ackAt - world.t0, true))) return;
  const { record } = await send(world, "ack", { type: "ack", incidentId: incident.id }, () =>
    incidentCommand(world, PAGED[1], `ack #${incident.id}`),
  );
  decl.ackStatus = record.status;
  decl.ackSentAt = record.sentAt;
}

/** Notes and checklist clicks from the 20 people, spread over the load (open loop). */
export async function act(world) {
  const { profile: p, tag } = world;
  const acks = Math.ceil(p.escalations / 2);
  const slots = Math.max(0, p.actions - acks);
  const from = 0.05 * p.loadSeconds * 1000;
  const span = 0.9 * p.loadSeconds * 1000;
  const ticked = new Set();
  const inFlight = [];
  for (let k = 0; k < slots; k++) {
    if (!(await at(world, from + (k / Math.max(1, slots)) * span))) break;
    const userId = pick(USER_IDS);
    const incidents = [...world.incidents.values()].filter((i) => i.state !== "resolved");
    if (!incidents.length) continue;
    const tick = Math.random() < 0.45 ? tickTarget(world, incidents, ticked) : null;
    if (tick) {
      ticked.add(`${tick.incident.id}:${tick.item}`);
      inFlight.push(
        send(world, "click", { type: "tick", incidentId: tick.incident.id, item: tick.item }, () =>
          world.sender.clickButton({
            userId,
            channelId: tick.incident.channel_id,
            messageTs: tick.incident.summary_ts,
            actionId: "incident.checklist",
            value: `${tick.incident.id}:${tick.item}:done`,
          }),
        ),
      );
    } else {
      const incident = pick(incidents);
      const token = `note-${k}-${tag}`;
      inFlight.push(
        send(world, "note", { type: "note", token }, () =>
          incidentCommand(world, userId, `note #${incident.id} ${token}`),
        ),
      );
    }
  }
  await Promise.all(inFlight);
}

/** An unticked checklist item whose Done button is on a summary Slack shows. */
function tickTarget(world, incidents, ticked) {
  for (let tries = 0; tries < 20; tries++) {
    const incident = inEmulator(world, pick(incidents));
    if (!incident?.summary_ts) continue;
    const item = 1 + Math.floor(Math.random() * CHECKLIST_ITEMS);
    if (ticked.has(`${incident.id}:${item}`)) continue;
    const message = world.emulator.state.findMessage(incident.channel_id, incident.summary_ts);
    const value = `${incident.id}:${item}:done`;
    if (message && JSON.stringify(message.blocks ?? []).includes(`"value":"${value}"`))
      return { incident, item };
  }
  return null;
}

/** Connections the MariaDB remediations kill: the harness's own, each sleeping. */
export async function openSleepers(world, count) {
  for (let i = 0; i < count; i++) {
    const conn = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
    const sleeper = { id: conn.threadId, conn, killed: false, error: null };
    conn.on("error", () => undefined);
    conn.query("SELECT SLEEP(3600)").then(
      () => undefined,
      (err) => {
        sleeper.killed = true;
        sleeper.error = err.code;
      },
    );
    world.sleepers.push(sleeper);
  }
}

/** Approved remediations: one person requests in an incident channel, another approves. */
export async function remediate(world) {
  const { profile: p } = world;
  const tasks = [];
  for (let k = 0; k < p.remediations; k++) {
    const atMs = (0.1 + (0.65 * k) / Math.max(1, p.remediations)) * p.loadSeconds * 1000;
    if (!(await at(world, atMs))) break;
    tasks.push(remediation(world, k));
  }
  await Promise.all(tasks);
}

async function remediation(world, k) {
  const redis = k % 2 === 0;
  const sleeper = redis ? null : world.sleepers[Math.floor(k / 2)];
  const command = redis ? "redis-set-maxmemory" : "mysql-kill-connection";
  const param = redis ? { key: "value", value: `${100 + k}mb` } : { key: "id", value: String(sleeper.id) };
  const r = { k, command, param, requester: pick(REQUESTERS), approver: pick(APPROVERS), sleeper };
  world.remediations.push(r);
  const incident = pick(
    [...world.incidents.values()].filter((i) => i.state !== "resolved" && inEmulator(world, i)),
  );
  if (!incident) return void (r.skipped = "no incident channel yet");
  const text = redis
    ? `redis-set-maxmemory value=${param.value}`
    : `mysql-kill-connection id=${param.value} min_time=1`;
  const { record } = await send(world, "run", { type: "run", command, ...param }, () =>
    world.sender.slashCommand({ command: "/run", text, userId: r.requester, channelId: incident.channel_id }),
  );
  r.requestStatus = record.status;
  if (record.status !== 200) return;
  // The approval message appears once the outbox has posted it (bounded wait).
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && !world.finished) {
    try {
      const { rows } = await world.pool.query(
        `SELECT id::int FROM runs WHERE command = $1 AND params->>$2 = $3`,
        [command, param.key, param.value],
      );
      r.runId ??= rows[0]?.id;
    } catch {
      // Postgres restarting
    }
    const button = r.runId && findButton(world, incident.channel_id, "run.approve", String(r.runId));
    if (button) {
      const { record: click } = await send(
        world,
        "approve",
        { type: "approve", runId: r.runId, user: r.approver },
        () =>
          world.sender.clickButton({
            userId: r.approver,
            channelId: incident.channel_id,
            messageTs: button.ts,
            actionId: "run.approve",
            value: String(r.runId),
          }),
      );
      r.approveStatus = click.status;
      if (click.status === 200) return;
      // Not answered (a replica died, Slack rate-limited Bolt): the person clicks again a bit later.
    }
    await sleep(2_000);
  }
}

/** A message in the channel with a button (action_id, value), as Slack shows it. */
export function findButton(world, channelId, actionId, value) {
  const needle = `"action_id":"${actionId}"`;
  for (const m of world.emulator.messages(channelId)) {
    const blocks = JSON.stringify(m.blocks ?? []);
    if (blocks.includes(needle) && blocks.includes(`"value":"${value}"`)) return m;
  }
  return null;
}

/**
 * Alerts into Alertmanager: each group fires, gains and resolves alerts every so often (each
 * change is one webhook notification), half the groups end all resolved. Firing alerts are
 * re-sent every 30 s with a fresh endsAt, as Prometheus does.
 */
export async function alert(world) {
  const { profile: p, tag } = world;
  const L = p.loadSeconds * 1000;
  const groups = Array.from({ length: p.alertGroups }, (_, g) => ({
    g,
    name: `chaos-g${String(g).padStart(3, "0")}-${tag}`,
    startMs: (g / Math.max(1, p.alertGroups)) * 0.2 * L,
    next: 0,
    firing: [],
  }));
  const events = [];
  for (const group of groups) {
    const every = (0.85 * L - group.startMs) / p.alertChangesPerGroup;
    for (let j = 0; j < p.alertChangesPerGroup; j++)
      events.push({ group, j, atMs: group.startMs + j * every });
  }
  events.sort((a, b) => a.atMs - b.atMs);
  // Runs until the verdict: an alert left firing must not expire in Alertmanager meanwhile.
  world.alertRefresher = (async () => {
    while (!world.finished) {
      await sleep(1_000);
      if (Date.now() - (world.lastAlertRefresh ?? 0) < 30_000) continue;
      world.lastAlertRefresh = Date.now();
      const firing = groups.flatMap((gr) => gr.firing.map((id) => alertBody(world, gr, id, "firing")));
      if (firing.length) await postAlerts(world, firing);
    }
  })();
  for (const { group, j, atMs } of events) {
    if (!(await at(world, atMs))) break;
    const last = j === p.alertChangesPerGroup - 1;
    const batch = [];
    const fire = () => {
      const id = `${group.name}-a${group.next++}`;
      group.firing.push(id);
      world.alerts.set(id, { group: group.name, status: "firing" });
      batch.push(alertBody(world, group, id, "firing"));
    };
    const resolve = (id) => {
      group.firing = group.firing.filter((x) => x !== id);
      world.alerts.set(id, { group: group.name, status: "resolved" });
      batch.push(alertBody(world, group, id, "resolved"));
    };
    if (j === 0) {
      fire();
      fire();
    } else if (last && group.g % 2 === 0) {
      for (const id of [...group.firing]) resolve(id);
    } else if (j % 2 === 1 && group.firing.length > 1) {
      resolve(group.firing[0]);
    } else {
      fire();
    }
    await postAlerts(world, batch);
  }
}

function alertBody(world, group, id, status) {
  const now = Date.now();
  return {
    labels: { alertname: "ChaosAlert", chaos_group: group.name, alert_id: id, severity: "warning" },
    annotations: { summary: `Chaos alert ${id}` },
    startsAt: new Date(world.t0).toISOString(),
    endsAt: new Date(status === "firing" ? now + 180_000 : now).toISOString(),
    generatorURL: "http://127.0.0.1/chaos",
  };
}

async function postAlerts(world, alerts) {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await fetch(`${world.alertmanagerUrl}/api/v2/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(alerts),
        signal: AbortSignal.timeout(10_000),
      });
      await r.arrayBuffer();
      if (r.ok) return;
    } catch {
      // retry
    }
    await sleep(500);
  }
  world.alertPostFailures += alerts.length;
}

/**
 * The canary: `/incident status` every 2 s; its answer comes back through the outbox on the
 * request's own response URL, so a canary that completed proves the whole path (HAProxy, a
 * web replica, Postgres, a worker's drainer, Slack) works.
 */
export async function canary(world, until) {
  while (Date.now() < until() && !world.finished) {
    const sentAt = Date.now();
    const c = { sentAt, status: 0, responseId: null };
    world.canaries.push(c);
    send(world, "canary", null, () =>
      incidentCommand(world, "U0ALICE", `status #${world.canaryIncident}`),
    ).then(({ record }) => {
      c.status = record.status;
      c.responseId = record.responseId;
    });
    await sleep(2_000);
  }
}
