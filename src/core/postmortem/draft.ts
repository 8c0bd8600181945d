import { displayName } from "../people.js";
import { humanDuration } from "../duration.js";
import { formatInTimeZone } from "../time-format.js";
import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { eventData, plural, runCommandName, text } from "./describe-event.js";
import { describeTimeline } from "./describe-timeline.js";
import { runKey } from "./sentences-runs.js";
import { suggestFollowUps } from "./suggest-follow-ups.js";
import { summariseAutomation } from "./automation.js";
import type { PostmortemAutomation } from "./automation.js";

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
  acknowledgedBy?: string | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  resolvedBy?: string | null;
  resolutionSummary: string | null;
  checklist: readonly { text: string; doneBy?: string }[];
}

/** A follow-up someone recorded (`/incident followup`), as the draft lists it. */
export interface PostmortemFollowUp {
  number: number;
  text: string;
  createdBy: string;
  doneBy: string | null;
  doneAt: Date | null;
}

/** One line of the postmortem's timeline. */
export interface PostmortemTimelineEntry {
  at: Date;
  /** "T+4m": time since the incident was declared. */
  offset: string;
  /** Who acted, by name. */
  actor: string;
  text: string;
}

/** A diagnostic or remediation run during the incident, from its `run.*` events. */
export interface PostmortemActionRun {
  at: Date;
  /** Who asked for it, by name. */
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
  /** A generated paragraph: what happened, who answered, how fast. */
  summary: string;
  impact: string;
  timeToAcknowledgeMs: number | null;
  timeToMitigateMs: number | null;
  timeToResolveMs: number | null;
  timeline: PostmortemTimelineEntry[];
  actionsRun: PostmortemActionRun[];
  /** What alert routing did on its own (diagnostics, self-heal) and who was paged; null when nothing. */
  automation: PostmortemAutomation | null;
  /** Follow-ups people recorded, with who ticked them off (names). */
  followUps: { number: number; text: string; createdBy: string; doneBy: string | null }[];
  /** Follow-ups the timeline suggests (notes marked follow-up, open checklist items, a missed target…). */
  suggestedFollowUps: string[];
  /** When the draft was generated (the `now` given). */
  generatedAt: Date;
}

/** Options of a draft: `now` measures an incident still open; names and zone make it read well. */
export interface DraftOptions {
  now: Date;
  responseTargetMs?: number;
  nameOf?: NameOf;
  /** The zone times are written in (the config's); UTC by default. */
  timeZone?: string;
  followUps?: readonly PostmortemFollowUp[];
}

const NOISE = /^slack\.(message_posted|call_failed)$/;

/**
 * Drafts a postmortem from an incident and its timeline (seq order). Pure: the same
 * input and options give the same draft. The timeline uses the sentences of the incident
 * page (`describeTimeline`), with people's names.
 */
export function draftPostmortem(
  incident: PostmortemIncident,
  events: readonly PostmortemEvent[],
  opts: DraftOptions,
): PostmortemDraft {
  const nameOf = opts.nameOf ?? ((id: string) => displayName(id, new Map()));
  const since = (d: Date | null) => (d ? d.getTime() - incident.declaredAt.getTime() : null);
  const tta = since(incident.acknowledgedAt);
  const ttm = since(incident.mitigatedAt);
  const ttr = incident.state === "resolved" ? since(incident.resolvedAt) : null;
  const timeline = describeTimeline(events, nameOf)
    .filter((d) => !NOISE.test(d.event.kind))
    .map((d) => ({
      at: d.event.at,
      offset: `T+${humanDuration(Math.max(0, d.event.at.getTime() - incident.declaredAt.getTime()))}`,
      actor: nameOf(d.event.actor),
      text: d.sentence,
    }));
  const actionsRun = collectRuns(events, nameOf);
  const facts = { tta, ttm, ttr, responseTargetMs: opts.responseTargetMs };
  return {
    incidentId: incident.id,
    title: `Incident #${incident.id}: ${incident.title}`,
    summary: summarise(incident, events, actionsRun, facts, nameOf, opts.timeZone ?? "UTC"),
    impact: describeImpact(incident, events, opts.now),
    timeToAcknowledgeMs: tta,
    timeToMitigateMs: ttm,
    timeToResolveMs: ttr,
    timeline,
    actionsRun,
    automation: summariseAutomation(events, nameOf),
    followUps: (opts.followUps ?? []).map((f) => ({
      number: f.number,
      text: f.text,
      createdBy: nameOf(f.createdBy),
      doneBy: f.doneBy ? nameOf(f.doneBy) : null,
    })),
    suggestedFollowUps: suggestFollowUps(incident, events, actionsRun, tta, opts.responseTargetMs),
    generatedAt: opts.now,
  };
}

function summarise(
  i: PostmortemIncident,
  events: readonly PostmortemEvent[],
  runs: readonly PostmortemActionRun[],
  f: { tta: number | null; ttm: number | null; ttr: number | null; responseTargetMs: number | undefined },
  nameOf: NameOf,
  timeZone: string,
): string {
  const when = `${formatInTimeZone(i.declaredAt, timeZone, "EEEE d MMMM yyyy")} at ${formatInTimeZone(i.declaredAt, timeZone, "HH:mm")} (${timeZone})`;
  const verb = i.source === "slack" ? "declared" : "opened";
  const sentences = [
    `On ${when}, ${nameOf(i.declaredBy)} ${verb} a ${i.severity} incident: “${text(i.title, 200)}”.`,
  ];
  sentences.push(
    f.tta === null
      ? "Nobody has acknowledged it yet."
      : i.acknowledgedBy
        ? `${nameOf(i.acknowledgedBy)} acknowledged it after ${humanDuration(f.tta)}.`
        : `It was acknowledged after ${humanDuration(f.tta)}.`,
  );
  const later = [
    ...(f.ttm !== null ? [`mitigated after ${humanDuration(f.ttm)}`] : []),
    ...(f.ttr !== null
      ? [`resolved after ${humanDuration(f.ttr)}${i.resolvedBy ? ` by ${nameOf(i.resolvedBy)}` : ""}`]
      : []),
  ];
  const resolution = i.resolutionSummary && f.ttr !== null ? `: “${text(i.resolutionSummary, 600)}”` : "";
  if (later.length) sentences.push(`It was ${joinClauses(later)}${resolution}.`);
  if (f.ttr === null) sentences.push(`It is still ${i.state}.`);
  const paged = new Set(events.filter((e) => e.kind === "page.sent").map((e) => text(eventData(e).user)));
  const pages = events.filter((e) => e.kind === "page.sent").length;
  const failed = runs.filter((r) => /fail|interrupt/.test(r.outcome)).length;
  const activity = [
    ...(pages ? [`${plural(paged.size, "person was", "people were")} paged (${plural(pages, "page")})`] : []),
    ...(runs.length ? [`${plural(runs.length, "command")} ran${failed ? ` (${failed} failed)` : ""}`] : []),
  ];
  if (activity.length) sentences.push(`${capital(joinClauses(activity))}.`);
  if (f.responseTargetMs !== undefined && f.tta !== null)
    sentences.push(
      f.tta > f.responseTargetMs
        ? `The ${i.severity} response target of ${humanDuration(f.responseTargetMs)} was missed.`
        : `It was acknowledged within the ${i.severity} response target of ${humanDuration(f.responseTargetMs)}.`,
    );
  if (i.commander) sentences.push(`${nameOf(i.commander)} was the commander.`);
  return sentences.join(" ");
}

const capital = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
const joinClauses = (parts: readonly string[]) =>
  parts.length <= 1 ? (parts[0] ?? "") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`;

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
    if (Array.isArray(d.alerts))
      for (const a of d.alerts as Record<string, unknown>[])
        if (typeof a.alertname === "string" && a.alertname) alerts.add(a.alertname);
  }
  return [
    `${i.severity} for ${humanDuration(end.getTime() - i.declaredAt.getTime())}${i.state === "resolved" ? "" : " so far"}${severities.size > 1 ? ` (severities seen: ${[...severities].sort().join(", ")})` : ""}.`,
    ...(i.description ? [`Reported: ${text(i.description, 1000)}`] : []),
    ...(alerts.size ? [`Alerts: ${[...alerts].sort().join(", ")}.`] : []),
    "Customer impact: to be written by the commander.",
  ].join(" ");
}

function collectRuns(events: readonly PostmortemEvent[], nameOf: NameOf): PostmortemActionRun[] {
  const runs = new Map<string, PostmortemActionRun>();
  for (const e of events) {
    if (!e.kind.startsWith("run.") || e.kind === "run.refused" || e.kind === "run.auto_approval_declined")
      continue;
    const d = eventData(e);
    const key = runKey(d) ?? `${runCommandName(d)}#${e.seq}`;
    const outcome = e.kind.slice("run.".length);
    const approver = d.approvedBy ?? d.approved_by ?? d.approver;
    const existing = runs.get(key);
    if (existing) {
      existing.outcome = outcome;
      if (outcome === "approved")
        existing.approvedBy = existing.approvedBy
          ? `${existing.approvedBy}, ${nameOf(e.actor)}`
          : nameOf(e.actor);
      if (typeof approver === "string") existing.approvedBy = nameOf(approver);
    } else {
      runs.set(key, {
        at: e.at,
        actor: nameOf(e.actor),
        command: runCommandName(d),
        outcome,
        ...(typeof approver === "string" ? { approvedBy: nameOf(approver) } : {}),
      });
    }
  }
  return [...runs.values()];
}
