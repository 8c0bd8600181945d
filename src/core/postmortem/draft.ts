import { humanDuration } from "../duration.js";
import type { PostmortemEvent } from "./describe-event.js";
import { describePostmortemEvent, eventData, runCommandName, text } from "./describe-event.js";

export type { PostmortemEvent } from "./describe-event.js";

/** What the postmortem needs to know about the incident (a stored incident fits). */
export interface PostmortemIncident {
  id: number;
  title: string;
  description: string;
  severity: string;
  state: string;
  source: string;
  declaredBy: string;
  commander: string | null;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  resolutionSummary: string | null;
  checklist: readonly { text: string; doneBy?: string }[];
}

/** One line of the postmortem's timeline. */
export interface PostmortemTimelineEntry {
  at: Date;
  /** "T+4m": time since the incident was declared. */
  offset: string;
  actor: string;
  text: string;
}

/** A diagnostic or remediation run during the incident, from its `run.*` events. */
export interface PostmortemActionRun {
  at: Date;
  actor: string;
  command: string;
  /** The last `run.*` kind seen for it, e.g. "succeeded", "failed", "approved". */
  outcome: string;
  approvedBy?: string;
}

/** A postmortem draft: every section a reviewer fills in, pre-filled from the timeline. */
export interface PostmortemDraft {
  incidentId: number;
  title: string;
  summary: string;
  impact: string;
  timeToAcknowledgeMs: number | null;
  timeToMitigateMs: number | null;
  timeToResolveMs: number | null;
  timeline: PostmortemTimelineEntry[];
  actionsRun: PostmortemActionRun[];
  followUps: string[];
  /** When the draft was generated (the `now` given). */
  generatedAt: Date;
}

const NOISE = /^slack\.(message_posted|call_failed)$/;
const FOLLOW_UP_NOTE = /^\s*(?:follow[- ]?up|todo|action(?: item)?)\s*[:-]\s*(.+)$/is;

/**
 * Drafts a postmortem from an incident and its timeline (seq order). Pure: the same
 * input and `now` give the same draft; `now` measures an incident still open.
 */
export function draftPostmortem(
  incident: PostmortemIncident,
  events: readonly PostmortemEvent[],
  opts: { now: Date; responseTargetMs?: number },
): PostmortemDraft {
  const since = (d: Date | null) => (d ? d.getTime() - incident.declaredAt.getTime() : null);
  const tta = since(incident.acknowledgedAt);
  const ttm = since(incident.mitigatedAt);
  const ttr = incident.state === "resolved" ? since(incident.resolvedAt) : null;
  const timeline = events
    .filter((e) => !NOISE.test(e.kind))
    .map((e) => ({
      at: e.at,
      offset: `T+${humanDuration(Math.max(0, e.at.getTime() - incident.declaredAt.getTime()))}`,
      actor: e.actor,
      text: describePostmortemEvent(e),
    }));
  const actionsRun = collectRuns(events);
  return {
    incidentId: incident.id,
    title: `Incident #${incident.id}: ${incident.title}`,
    summary: summarise(incident, tta, ttm, ttr),
    impact: describeImpact(incident, events, opts.now),
    timeToAcknowledgeMs: tta,
    timeToMitigateMs: ttm,
    timeToResolveMs: ttr,
    timeline,
    actionsRun,
    followUps: followUps(incident, events, actionsRun, tta, opts.responseTargetMs),
    generatedAt: opts.now,
  };
}

function summarise(i: PostmortemIncident, tta: number | null, ttm: number | null, ttr: number | null) {
  const parts = [
    `${i.severity} incident "${text(i.title, 200)}" declared by ${i.declaredBy}${i.source !== "slack" ? ` from ${i.source}` : ""} at ${i.declaredAt.toISOString()}.`,
    tta === null ? "Not acknowledged yet." : `Acknowledged after ${humanDuration(tta)}.`,
    ...(ttm === null ? [] : [`Mitigated after ${humanDuration(ttm)}.`]),
    ttr === null ? `Still ${i.state}.` : `Resolved after ${humanDuration(ttr)}.`,
    ...(i.commander ? [`Commander: ${i.commander}.`] : []),
    ...(i.resolutionSummary ? [`Resolution: ${text(i.resolutionSummary, 1000)}`] : []),
  ];
  return parts.join(" ");
}

function describeImpact(i: PostmortemIncident, events: readonly PostmortemEvent[], now: Date): string {
  const end = i.resolvedAt && i.state === "resolved" ? i.resolvedAt : now;
  const severities = new Set([i.severity]);
  for (const e of events)
    if (e.kind === "incident.severity_changed" || e.kind === "incident.declared") {
      const d = eventData(e);
      for (const s of [d.from, d.to, d.severity]) if (typeof s === "string") severities.add(s);
    }
  const alerts = new Set<string>();
  for (const e of events) {
    if (!e.kind.startsWith("alert")) continue;
    const d = eventData(e);
    const labels = eventData({ ...e, data: d.labels ?? d.commonLabels ?? d.groupLabels });
    const name = d.alertname ?? labels.alertname;
    if (typeof name === "string") alerts.add(name);
  }
  return [
    `${i.severity} for ${humanDuration(end.getTime() - i.declaredAt.getTime())}${i.state === "resolved" ? "" : " so far"}${severities.size > 1 ? ` (severities seen: ${[...severities].sort().join(", ")})` : ""}.`,
    ...(i.description ? [`Reported: ${text(i.description, 1000)}`] : []),
    ...(alerts.size ? [`Alerts: ${[...alerts].sort().join(", ")}.`] : []),
    "Customer impact: to be written by the commander.",
  ].join(" ");
}

function collectRuns(events: readonly PostmortemEvent[]): PostmortemActionRun[] {
  const runs = new Map<string, PostmortemActionRun>();
  for (const e of events) {
    if (!e.kind.startsWith("run.")) continue;
    const d = eventData(e);
    const key = text(d.runId ?? d.run_id ?? d.id ?? `${runCommandName(d)}#${e.seq}`, 200);
    const outcome = e.kind.slice("run.".length);
    const approver = d.approvedBy ?? d.approved_by ?? d.approver;
    const existing = runs.get(key);
    if (existing) {
      existing.outcome = outcome;
      if (outcome === "approved" && !existing.approvedBy) existing.approvedBy = e.actor;
      if (typeof approver === "string") existing.approvedBy = approver;
    } else {
      runs.set(key, {
        at: e.at,
        actor: e.actor,
        command: runCommandName(d),
        outcome,
        ...(typeof approver === "string" ? { approvedBy: approver } : {}),
      });
    }
  }
  return [...runs.values()];
}

function followUps(
  i: PostmortemIncident,
  events: readonly PostmortemEvent[],
  runs: readonly PostmortemActionRun[],
  tta: number | null,
  responseTargetMs: number | undefined,
): string[] {
  const items: string[] = [];
  for (const e of events) {
    if (e.kind !== "incident.note") continue;
    const m = FOLLOW_UP_NOTE.exec(text(eventData(e).text, 1000));
    if (m?.[1]) items.push(m[1].trim());
  }
  for (const c of i.checklist) if (!c.doneBy) items.push(`Checklist item left open: ${text(c.text, 200)}`);
  if (tta !== null && responseTargetMs !== undefined && tta > responseTargetMs)
    items.push(
      `Acknowledged after ${humanDuration(tta)}, beyond the ${i.severity} response target of ${humanDuration(responseTargetMs)}: review paging and the escalation policy.`,
    );
  const failed = runs.filter((r) => /fail|error|timeout/.test(r.outcome));
  if (failed.length)
    items.push(`Investigate ${failed.length} failed run(s): ${failed.map((r) => r.command).join(", ")}.`);
  if (runs.length)
    items.push("Decide whether the remediations run should become a permanent fix or an automated runbook.");
  const refused = events.filter((e) => e.kind === "command.refused").length;
  if (refused) items.push(`Review ${refused} refused command(s): were the permissions right?`);
  if (i.state !== "resolved")
    items.push(`The incident is still ${i.state}: regenerate this draft once it is resolved.`);
  return items;
}
