import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { durationText, eventData, listOf, numberOf, runCommandName, text } from "./describe-event.js";
import { guardrailText } from "./sentences-self-heal.js";

/** What a run's earlier events told: who asked, for what, and who approved. */
export interface RunFacts {
  requester?: string;
  command: string;
  target?: string;
  approvers: string[];
}

/** Runs seen so far, by run id. */
export type RunContext = Map<string, RunFacts>;

/** The run id an event is about, whichever name the field has. */
export function runKey(d: Record<string, unknown>): string | undefined {
  const id = d.run_id ?? d.runId;
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined;
}

const paramsText = (v: unknown): string => {
  if (typeof v !== "object" || v === null) return "";
  const pairs = Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${text(x, 60)}`);
  return pairs.length ? ` (${listOf(pairs, 4)})` : "";
};

/** Sentences for catalog runs; reads and updates `runs` as it goes. */
export function runSentence(e: PostmortemEvent, nameOf: NameOf, runs: RunContext): string | undefined {
  if (!e.kind.startsWith("run.")) return undefined;
  const d = eventData(e);
  const key = runKey(d);
  const facts: RunFacts = (key ? runs.get(key) : undefined) ?? { command: runCommandName(d), approvers: [] };
  if (key && !runs.has(key)) runs.set(key, facts);
  if (typeof d.target === "string" && d.target) facts.target = d.target;
  const who = nameOf(e.actor);
  const label = `run ${key ? `#${key} ` : ""}(${facts.command})`;
  const on = facts.target ? ` on ${facts.target}` : "";
  switch (e.kind) {
    case "run.requested":
      facts.requester = e.actor;
      return `${who} asked to run ${facts.command}${on}${paramsText(d.params)}`;
    case "run.previewed": {
      const changes = Array.isArray(d.changes) ? (d.changes as unknown[]).map((c) => text(c, 200)) : [];
      return `Previewed ${facts.command}${on}: ${changes.length ? listOf(changes, 3) : "no change"}`;
    }
    case "run.preview_failed":
      return `Could not preview ${label}: ${text(d.error, 200)}`;
    case "run.approved": {
      if (!facts.approvers.includes(e.actor)) facts.approvers.push(e.actor);
      const n = numberOf(d.approvals);
      const of = numberOf(d.needed);
      return `${who} approved ${label}${n && of ? ` (${n} of ${of})` : ""}`;
    }
    case "run.denied":
      return d.withdrawn ? `${who} withdrew ${label}` : `${who} denied ${label}: nothing ran`;
    case "run.approval_refused":
      return `${who} could not approve ${label}: ${text(d.reason)}`;
    case "run.expired":
      return `${capital(label)} expired: nobody approved it in time`;
    case "run.auto_approved": {
      const figures = guardrailText(d);
      return `${capital(label)} was approved by its policy, pre-approved for alerts${figures ? ` (${figures})` : ""}`;
    }
    case "run.auto_approval_declined":
      return `${facts.command}${on} was not pre-approved: ${text(d.reason)}`;
    case "run.started":
      return `${capital(label)} started${on}`;
    case "run.succeeded":
    case "run.failed": {
      const ran = facts.requester
        ? `${nameOf(facts.requester)} ran ${facts.command}${on}`
        : `${capital(label)} ran${on}`;
      const approved = facts.approvers.length ? `, approved by ${listOf(facts.approvers.map(nameOf))}` : "";
      const took = durationText(d.duration_ms);
      const outcome = e.kind === "run.succeeded" ? "succeeded" : "failed";
      const detail = text(d.error ?? d.summary, 200);
      return `${ran}${approved}: ${outcome}${took ? ` in ${took}` : ""}${detail ? ` (${detail})` : ""}`;
    }
    case "run.interrupted":
      return `${capital(label)} was interrupted: Firebreak stopped while it ran, and it is not re-run`;
    case "run.finished_late":
      return `${capital(label)} finished after it was marked interrupted: ${text(d.outcome)}`;
    case "run.refused": {
      const what = d.command
        ? `/run ${text(d.command, 80)}`
        : text(d.text, 80)
          ? `“${text(d.text, 80)}”`
          : "a run";
      return `${who} was refused ${what}: ${text(d.reason)}`;
    }
    default:
      return undefined;
  }
}

const capital = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;
