// The verdict: what was sent (the harness's own record of requests, alerts and approvals)
// against what Postgres, the Slack emulator, Redis and MariaDB recorded. Firebreak's own
// counters are never the evidence.
import { Redis } from "ioredis";

/** Reads everything the verdict needs from Postgres in one go. */
export async function readRecords(pool) {
  const q = async (sql, params) => (await pool.query(sql, params)).rows;
  return {
    incidents: await q(
      "SELECT id::int, title, state, channel_id, acknowledged_at, declared_at, source FROM incidents ORDER BY id",
    ),
    notes: await q("SELECT data->>'text' AS text FROM timeline_events WHERE kind = 'incident.note'"),
    ticks: await q(
      "SELECT incident_id::int, (data->>'item')::int AS item FROM timeline_events WHERE kind = 'checklist.ticked'",
    ),
    runEvents: await q(
      "SELECT kind, actor, (data->>'run_id')::int AS run_id FROM timeline_events WHERE kind LIKE 'run.%' AND data ? 'run_id'",
    ),
    runs: await q("SELECT id::int, command, params, state, started_at FROM runs"),
    approvals: await q("SELECT run_id::int, user_id, decision FROM run_approvals"),
    alertStates: await q("SELECT labels->>'alert_id' AS id, status FROM alert_states"),
    groups: await q(
      "SELECT group_key, group_labels->>'chaos_group' AS name, incident_id::int FROM alert_groups",
    ),
    escalations: await q("SELECT incident_id::int, run, status, started_at, snapshot FROM escalations"),
    pages: await q(
      "SELECT incident_id::int, step, user_id, due_at, created_at FROM pages WHERE reason = 'escalation'",
    ),
    notifications: await q(
      "SELECT count(*)::int AS stored, count(*) FILTER (WHERE processed_at IS NULL)::int AS unprocessed FROM alert_notifications",
    ),
    outboxPending: await q(
      "SELECT method, count(*)::int AS n FROM slack_outbox WHERE status = 'pending' GROUP BY method ORDER BY 2 DESC",
    ),
    outbox: await q(
      `SELECT count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              COALESCE(EXTRACT(EPOCH FROM now() - min(created_at) FILTER (WHERE status = 'pending')), 0)::float AS oldest
         FROM slack_outbox`,
    ),
  };
}

/** When each step of an escalation falls due (its snapshot's ack timeouts, from its start). */
function stepDues(esc) {
  const steps = esc.snapshot?.steps ?? [];
  const dues = [];
  let t = new Date(esc.started_at).getTime();
  for (const s of steps) {
    dues.push(t);
    t += Number(s.ackTimeoutMs ?? 0);
  }
  return dues;
}

/** Every escalation page DM Slack accepted: incident, step (0-based), person, when. */
export function pageDms(emulator) {
  const dms = [];
  for (const c of emulator.calls) {
    if (c.method !== "chat.postMessage" || c.status !== 200 || c.response?.ok !== true) continue;
    const text = String(c.args.text ?? "");
    const blocks = Array.isArray(c.args.blocks) ? c.args.blocks : [];
    const at = c.at.getTime();
    const single = /You are paged for incident #(\d+)/.exec(text);
    if (single) {
      const step = /step (\d+) of \d+/.exec(JSON.stringify(blocks));
      if (!step) continue; // an ad hoc page
      dms.push({ incidentId: Number(single[1]), step: Number(step[1]) - 1, user: c.args.channel, at });
      continue;
    }
    // Several pages to one person bundled into one DM: a section per incident, its
    // Acknowledge button carrying the incident id, its text naming the step.
    if (!/You are paged for \d+ incidents/.test(text)) continue;
    for (const b of blocks) {
      if (b?.type !== "section" || b.accessory?.action_id !== "incident.ack") continue;
      const step = /step (\d+) of \d+/.exec(String(b.text?.text ?? ""));
      if (!step) continue;
      dms.push({
        incidentId: Number(b.accessory.value),
        step: Number(step[1]) - 1,
        user: c.args.channel,
        at,
      });
    }
  }
  return dms;
}

/** Did Postgres record what an acknowledged request asked for? */
function recordedCheck(rec) {
  const titles = rec.incidents.map((i) => i.title);
  const notes = new Set(rec.notes.map((n) => n.text));
  const ticks = new Set(rec.ticks.map((t) => `${t.incident_id}:${t.item}`));
  const acked = new Set(rec.incidents.filter((i) => i.acknowledged_at).map((i) => i.id));
  const approvals = new Set(rec.approvals.map((a) => `${a.run_id}:${a.user_id}`));
  const decided = new Set(rec.runEvents.map((e) => `${e.run_id}:${e.actor}`));
  return (e) => {
    switch (e.type) {
      case "declare":
        return titles.some((t) => t.endsWith(e.token));
      case "note":
        return [...notes].some((t) => t?.includes(e.token));
      case "tick":
        return ticks.has(`${e.incidentId}:${e.item}`);
      case "ack":
        return acked.has(e.incidentId);
      case "run":
        return rec.runs.some((r) => r.command === e.command && String(r.params?.[e.key]) === e.value);
      case "approve":
        return approvals.has(`${e.runId}:${e.user}`) || decided.has(`${e.runId}:${e.user}`);
      default:
        return true;
    }
  };
}

/** Slack calls made twice: identical accepted calls, or Slack's own "you did that already". */
function sentTwice(world) {
  const { emulator, t0 } = world;
  const seen = new Map();
  let repeats = 0;
  const examples = [];
  // chat.update is excluded: re-rendering a summary is idempotent by design (latest wins).
  const once = new Set([
    "chat.postMessage",
    "chat.postEphemeral",
    "conversations.create",
    "conversations.setTopic",
    "conversations.setPurpose",
    "conversations.invite",
    "pins.add",
    "response_url",
    "files.completeUploadExternal",
  ]);
  for (const c of emulator.calls) {
    if (!once.has(c.method) || c.status !== 200) continue;
    const error = c.response?.error;
    if (error === "already_pinned" || error === "name_taken") {
      repeats++;
      examples.push(`${c.method} → ${error}`);
      continue;
    }
    if (c.response?.ok !== true) continue;
    const key = `${c.method} ${JSON.stringify(c.args)}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 1) {
      repeats++;
      if (examples.length < 5)
        examples.push(
          `${c.method} ${JSON.stringify(c.args).slice(0, 100)}… at t+${((c.at.getTime() - t0) / 1000).toFixed(0)}s`,
        );
    }
  }
  return { repeats, examples };
}

async function redisConfigSets(url) {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  r.on("error", () => undefined);
  try {
    await r.connect();
    const info = await r.info("commandstats");
    const m = /cmdstat_config\|set:calls=(\d+)/.exec(info);
    return m ? Number(m[1]) : 0;
  } finally {
    r.disconnect();
  }
}

/** The faults a moment falls in (from 1 s before each starts to 10 s after it ends), if any. */
export function faultAt(world, t) {
  const during = world.faults.filter(
    (f) => t >= f.start - 1_000 && t <= (f.ready ?? f.end ?? f.start) + 10_000,
  );
  return during.length ? during.map((f) => f.type.replace(/\d+$/, "")).join(" + ") : "no fault";
}

/** What Firebreak posted to each response URL (what the person was told after the ack). */
export function repliesByResponseId(emulator) {
  const replies = new Map();
  for (const c of emulator.calls) {
    if (c.method !== "response_url") continue;
    const list = replies.get(c.args.response_url_id) ?? [];
    list.push({ at: c.at.getTime(), status: c.status, text: String(c.args.text ?? "") });
    replies.set(c.args.response_url_id, list);
  }
  return replies;
}

const tally = (list) =>
  [...list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map())]
    .map(([k, n]) => `${n} ${k}`)
    .join(", ");

/** Computes every invariant (value must be 0, or ok) and the figures, from ground truth. */
export async function verdict(world, rec, extra) {
  const { emulator } = world;
  const inv = [];
  const add = (name, value, detail = "") =>
    inv.push({ name, value, ok: value === 0 || value === "ok", detail });

  // Alerts: every alert sent to Alertmanager is in Postgres with the state it was left in.
  const states = new Map(rec.alertStates.map((a) => [a.id, a.status]));
  let missing = 0;
  let stale = 0;
  const wrong = [];
  for (const [id, a] of world.alerts) {
    const s = states.get(id);
    if (s === undefined) missing++;
    else if (s !== a.status) stale++;
    if (s !== a.status && wrong.length < 3) wrong.push(`${id} sent ${a.status}, recorded ${s ?? "nothing"}`);
  }
  const groupsSent = new Set([...world.alerts.values()].map((a) => a.group));
  const groupsWithIncident = new Set(rec.groups.filter((g) => g.incident_id).map((g) => g.name));
  const orphanGroups = [...groupsSent].filter((g) => !groupsWithIncident.has(g)).length;
  add(
    "alerts lost",
    missing + stale + orphanGroups,
    `${world.alerts.size} alerts in ${groupsSent.size} groups sent; ${missing} never recorded, ${stale} left in the wrong state, ${orphanGroups} groups without an incident${wrong.length ? ` (${wrong.join("; ")})` : ""}`,
  );

  // Duplicates: one incident per declaration and per alert group, one channel per incident.
  const count = (list) => list.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());
  const dupOf = (m) => [...m.values()].filter((n) => n > 1).reduce((s, n) => s + n - 1, 0);
  const declTitles = count(
    world.declarations.flatMap((d) =>
      rec.incidents.filter((i) => i.title.endsWith(d.token)).map(() => d.token),
    ),
  );
  const groupIncidents = count(
    rec.incidents
      .filter((i) => i.source === "alertmanager" && /^chaos-g\d{3}-/.test(i.title))
      .map((i) => i.title.split(" ")[0]),
  );
  const channelNumbers = count(
    emulator
      .channels()
      .map((c) => /^inc-\d{8}-(\d+)(-|$)/.exec(c.name)?.[1])
      .filter(Boolean),
  );
  const dupIncidents = dupOf(declTitles) + dupOf(groupIncidents);
  const dupChannels = dupOf(channelNumbers);
  add(
    "duplicate incidents or channels",
    dupIncidents + dupChannels,
    `${dupIncidents} extra incidents, ${dupChannels} extra channels (${emulator.channels().filter((c) => c.name.startsWith("inc-")).length} incident channels in Slack, ${rec.incidents.length} incidents in Postgres)`,
  );

  // Pages: each step due before the incident was acknowledged reached its person once.
  const dms = pageDms(emulator);
  const byKey = count(dms.map((d) => `${d.incidentId}:${d.step}:${d.user}`));
  const firstDm = new Map();
  for (const d of dms) {
    const k = `${d.incidentId}:${d.step}`;
    if (!firstDm.has(k) || firstDm.get(k) > d.at) firstDm.set(k, d.at);
  }
  let expectedPages = 0;
  let lost = 0;
  let afterAck = 0;
  const lateness = [];
  const lostExamples = [];
  const incidentsById = new Map(rec.incidents.map((i) => [i.id, i]));
  for (const esc of rec.escalations) {
    const incident = incidentsById.get(esc.incident_id);
    if (!incident || esc.run !== 1 || !esc.snapshot) continue;
    const ackAt = incident.acknowledged_at ? new Date(incident.acknowledged_at).getTime() : Infinity;
    stepDues(esc).forEach((due, step) => {
      const k = `${esc.incident_id}:${step}`;
      if (due >= ackAt) {
        if (firstDm.has(k)) afterAck++;
        return;
      }
      if (due > world.finishedAt) return;
      expectedPages++;
      const at = firstDm.get(k);
      if (at === undefined) {
        lost++;
        if (lostExamples.length < 5)
          lostExamples.push(`#${esc.incident_id} step ${step + 1} (due ${new Date(due).toISOString()})`);
      } else lateness.push(at - due);
    });
  }
  const dupPages = dupOf(byKey);
  add(
    "pages lost",
    lost,
    `${expectedPages} pages due before an ack; ${lost} never reached Slack${lostExamples.length ? `: ${lostExamples.join(", ")}` : ""}`,
  );
  add(
    "pages duplicated",
    dupPages,
    `${dms.length} page DMs accepted by Slack; ${afterAck} arrived for a step due after the ack`,
  );

  // Runs: a remediation executes at most once per approval.
  const startedPerRun = count(rec.runEvents.filter((e) => e.kind === "run.started").map((e) => e.run_id));
  const startedTwiceInPg = dupOf(startedPerRun);
  const redisRuns = rec.runs.filter((r) => r.command === "redis-set-maxmemory" && r.started_at).length;
  const configSets = await redisConfigSets(world.targetRedisUrl).catch(() => NaN);
  const redisExtra = Math.max(0, configSets - redisRuns);
  add(
    "runs started twice",
    startedTwiceInPg + redisExtra,
    `Redis saw ${configSets} CONFIG SET for ${redisRuns} started redis runs; ${startedTwiceInPg} runs with two run.started events`,
  );

  // Commands: every request acknowledged (200, and not answered in its ack that nothing
  // changed) left its record.
  const isRecorded = recordedCheck(rec);
  const refusedInAck = (r) => /nothing changed/i.test(r.ackText ?? "");
  const acked = world.requests.filter((r) => r.expect && r.status === 200 && !refusedInAck(r));
  const refusedAtOnce = world.requests.filter((r) => r.expect && r.status === 200 && refusedInAck(r)).length;
  const notRecorded = acked.filter((r) => !isRecorded(r.expect));
  // Which replica answered each (HAProxy's log), and whether it was killed soon after.
  const answered = extra.answeredBy?.() ?? new Map();
  const replicaKills = new Map((extra.replicas ?? []).map((r) => [r.name, r.killedAt]));
  const fate = (r) => {
    const server = answered.get(r.responseId)?.server;
    if (!server) return "replica unknown";
    const killed = (replicaKills.get(server) ?? []).find((k) => k >= r.sentAt);
    if (killed === undefined) return `answered by ${server}, never killed after`;
    const s = (killed - r.sentAt) / 1000;
    return s <= 5
      ? "its replica killed ≤5 s later"
      : s <= 30
        ? "its replica killed 5–30 s later"
        : "its replica killed >30 s later";
  };
  const replies = repliesByResponseId(emulator);
  const told = (r) =>
    (replies.get(r.responseId) ?? []).some(
      (x) => x.status === 200 && /could not|unavailable|try again/i.test(x.text),
    );
  add(
    "commands acked but not recorded",
    notRecorded.length,
    `${acked.length} acked of ${world.requests.filter((r) => r.expect).length} sent (${refusedAtOnce} answered at once that nothing changed)${
      notRecorded.length
        ? `; not recorded: ${tally(notRecorded.map((r) => r.expect.type))}; during: ${tally(notRecorded.map((r) => faultAt(world, r.sentAt)))}; ${notRecorded.filter(told).length} of them were told afterwards that it failed; ${tally(notRecorded.map(fate).map((f) => (f.startsWith("answered by") ? "replica never killed after" : f)))}`
        : ""
    }`,
  );

  const twice = sentTwice(world);
  add(
    "outbox rows sent twice",
    twice.repeats,
    twice.examples.length ? `e.g. ${twice.examples.slice(0, 3).join("; ")}` : "",
  );

  add(
    "audit verify",
    extra.audit.code === 0 ? "ok" : "failed",
    extra.audit.output.split("\n").slice(-2).join(" | "),
  );

  return { invariants: inv, lateness, dms, twice, notRecorded };
}
