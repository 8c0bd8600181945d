import { guardrailText } from "./sentences-self-heal.js";
import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { eventData, text } from "./describe-event.js";

/** The actor of what alert routing asks for (diagnostics, self-heals). */
const ALERT_ACTOR = "alertmanager";

/** A route's self-heal as the postmortem tells it. */
export interface PostmortemSelfHeal {
  command: string;
  target: string | null;
  /** Who approved it: the policy (with its guardrail's figures), a person, or nobody. */
  approver: string | null;
  /** How it ended, in words: "healed: the alert cleared …", "failed: …", "not run: …". */
  outcome: string;
}

/** What Firebreak did on its own for an alert incident, and whether a person was paged. */
export interface PostmortemAutomation {
  /** Diagnostics alert routing ran, with how each ended. */
  diagnostics: { command: string; outcome: string }[];
  selfHeal: PostmortemSelfHeal | null;
  /** Users paged, in order; empty when nobody was paged. */
  paged: string[];
}

/** The approver of an auto-approved run: the policy and the figures it decided on. */
function policyApprover(d: Record<string, unknown>): string {
  const figures = guardrailText(d);
  return `the policy (auto_approve_for_alerts${figures ? `: ${figures}` : ""})`;
}

/**
 * Reads an incident's timeline (in seq order) for what alert routing did on its own: the
 * diagnostics and their outcomes, the self-heal with its approver and outcome, and who was
 * paged. Null when alert routing did nothing automatic for the incident.
 */
export function summariseAutomation(
  events: readonly PostmortemEvent[],
  nameOf: NameOf = (id) => id,
): PostmortemAutomation | null {
  const diagnostics = new Map<string, { command: string; outcome: string }>();
  const paged: string[] = [];
  let heal: PostmortemSelfHeal | null = null;
  let healRun: string | null = null;
  for (const e of events) {
    const d = eventData(e);
    const runId = d.run_id === undefined ? null : text(d.run_id);
    if (e.kind === "page.sent" && typeof d.user === "string" && !paged.includes(nameOf(d.user)))
      paged.push(nameOf(d.user));
    if (e.kind === "run.requested" && e.actor === ALERT_ACTOR && runId) {
      if (d.kind === "diagnostic") diagnostics.set(runId, { command: text(d.command), outcome: "requested" });
      else if (heal && !healRun && d.command === heal.command) {
        healRun = runId;
        heal.target = typeof d.target === "string" ? d.target : null;
        // Pre-approved when requested, even if it failed before its approval was recorded.
        if (d.auto_approved === true) heal.approver = policyApprover(d);
      }
      continue;
    }
    if (e.kind.startsWith("run.") && runId) {
      const diag = diagnostics.get(runId);
      if (diag) diag.outcome = e.kind.slice("run.".length).replace(/_/g, " ");
      if (runId === healRun && heal) {
        if (e.kind === "run.auto_approved") heal.approver = policyApprover(d);
        if (e.kind === "run.approved") heal.approver = nameOf(e.actor);
        if (e.kind === "run.denied") heal.outcome = `denied by ${nameOf(e.actor)}: nothing ran`;
        if (e.kind === "run.expired") heal.outcome = "offered for approval, but nobody approved it in time";
        if (e.kind === "run.succeeded" && heal.approver && !heal.approver.startsWith("the policy"))
          heal.outcome = `run after ${heal.approver} approved it: succeeded`;
        if (e.kind === "run.failed" && heal.approver && !heal.approver.startsWith("the policy"))
          heal.outcome = `run after ${heal.approver} approved it: failed (${text(d.error, 200)})`;
      }
      continue;
    }
    if (!e.kind.startsWith("self_heal.")) continue;
    if (e.kind === "self_heal.planned") {
      heal = { command: text(d.command), target: null, approver: null, outcome: "planned, never started" };
      continue;
    }
    if (!heal) continue;
    switch (e.kind) {
      case "self_heal.succeeded":
        heal.outcome = `succeeded (${text(Array.isArray(d.changes) && d.changes.length ? d.changes.join("; ") : d.summary, 300)})`;
        break;
      case "self_heal.failed":
        heal.outcome = `failed: ${text(d.error, 300)}`;
        break;
      case "self_heal.healed":
        heal.outcome = `healed: the alert cleared ${text(d.seconds)} s after the incident opened, once the fix had run`;
        break;
      case "self_heal.alert_cleared":
        heal.outcome = "the alert cleared while it ran";
        break;
      case "self_heal.not_run":
        heal.outcome = `not run: ${text(d.reason, 300)}${
          d.offered_for_approval !== undefined
            ? ` (offered for approval as run #${text(d.offered_for_approval)})`
            : ""
        }`;
        if (d.offered_for_approval !== undefined) healRun = text(d.offered_for_approval);
        break;
    }
  }
  if (!heal && diagnostics.size === 0) return null;
  return { diagnostics: [...diagnostics.values()], selfHeal: heal, paged };
}

/** The automation section's lines (plain text; the Markdown and the page add their markup). */
export function automationLines(a: PostmortemAutomation): string[] {
  return [
    a.diagnostics.length
      ? `Diagnostics run on their own: ${a.diagnostics.map((d) => `${d.command} (${d.outcome})`).join(", ")}.`
      : "No diagnostics ran on their own.",
    a.selfHeal
      ? `Self-heal: ${a.selfHeal.command}${a.selfHeal.target ? ` on ${a.selfHeal.target}` : ""}, approved by ${a.selfHeal.approver ?? "nobody"}; ${a.selfHeal.outcome}.`
      : "No self-heal was configured for this alert.",
    a.paged.length ? `Paged: ${a.paged.join(", ")}.` : "Nobody was paged.",
  ];
}
