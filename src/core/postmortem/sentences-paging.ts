import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { durationText, eventData, listOf, numberOf, text } from "./describe-event.js";
import { within } from "./sentences-incident.js";

/** What the escalation's earlier events told: the policy, its steps, why the next step came. */
export interface EscalationContext {
  policy?: string;
  steps?: number;
  /** The ack timeout of the step paged last (why the next one came). */
  lastAckTimeoutMs?: number;
  /** Someone escalated by hand: the next step is theirs. */
  escalatedBy?: string;
}

const STOP_REASON: Readonly<Record<string, string>> = {
  acknowledged: "the incident was acknowledged",
  mitigated: "the incident was mitigated",
  resolved: "the incident was resolved",
};

function stepText(ctx: EscalationContext, step: number): string {
  return `step ${step + 1}${ctx.steps ? ` of ${ctx.steps}` : ""}`;
}

/** Sentences for escalation, pages and response targets; reads and updates `ctx` as it goes. */
export function pagingSentence(
  e: PostmortemEvent,
  nameOf: NameOf,
  ctx: EscalationContext,
): string | undefined {
  const d = eventData(e);
  switch (e.kind) {
    case "escalation.none":
      return `Nobody is paged automatically: no escalation policy for ${text(d.severity)}`;
    case "escalation.started":
      ctx.policy = text(d.policy) || ctx.policy;
      ctx.steps = numberOf(d.steps) ?? ctx.steps;
      ctx.lastAckTimeoutMs = undefined;
      return `Escalation started with policy ${ctx.policy ?? "(unnamed)"}${ctx.steps ? ` (${ctx.steps} ${ctx.steps === 1 ? "step" : "steps"})` : ""}`;
    case "escalation.step": {
      const step = numberOf(d.step) ?? 0;
      const repeat = numberOf(d.repeat) ?? 0;
      ctx.policy = text(d.policy) || ctx.policy;
      const why = ctx.escalatedBy
        ? `${nameOf(ctx.escalatedBy)} escalated by hand`
        : `nobody acknowledged${within(ctx.lastAckTimeoutMs)}`;
      const users = Array.isArray(d.users) ? (d.users as unknown[]).map((u) => nameOf(text(u))) : [];
      const paging = users.length ? `, paging ${listOf(users, 5)}` : "";
      ctx.escalatedBy = undefined;
      const first = step === 0 && repeat === 0 && ctx.lastAckTimeoutMs === undefined;
      ctx.lastAckTimeoutMs = numberOf(d.ack_timeout_ms);
      if (first) return `Escalation ${stepText(ctx, step)} (policy ${ctx.policy ?? "(unnamed)"})${paging}`;
      if (step === 0) return `Repeated the escalation policy (round ${repeat + 1}): ${why}${paging}`;
      return `Escalated to step ${step + 1}: ${why}${paging}`;
    }
    case "escalation.escalated":
      ctx.escalatedBy = e.actor;
      return `${nameOf(e.actor)} escalated to the next step`;
    case "escalation.empty_step":
      return `Step ${(numberOf(d.step) ?? 0) + 1} had nobody to page: passed over at once`;
    case "escalation.exhausted":
      return d.paged_any === false
        ? `Nobody could be paged: every step of policy ${text(d.policy)} is empty`
        : `Nobody acknowledged: policy ${text(d.policy)} ran out of steps`;
    case "escalation.stopped":
      return `Escalation stopped: ${STOP_REASON[text(d.reason)] ?? text(d.reason)}`;
    case "page.sent": {
      const who = nameOf(text(d.user));
      if (d.reason === "adhoc") return `Paged ${who} (asked by ${nameOf(e.actor)})`;
      const step = numberOf(d.step) ?? 0;
      const repeat = numberOf(d.repeat) ?? 0;
      return `Paged ${who} (${stepText(ctx, step)}${repeat ? `, round ${repeat + 1}` : ""}, policy ${ctx.policy ?? "(unnamed)"})`;
    }
    case "page.requested": {
      const target = (typeof d.target === "object" && d.target ? d.target : {}) as Record<string, unknown>;
      const users = Array.isArray(d.users) ? (d.users as unknown[]).map((u) => nameOf(text(u))) : [];
      return target.schedule
        ? `${nameOf(e.actor)} asked to page whoever is on call for ${text(target.schedule)}${users.length ? ` (${listOf(users)})` : ""}`
        : `${nameOf(e.actor)} asked to page ${nameOf(text(target.user))}`;
    }
    case "page.withdrawn":
      return `Withdrew the ${d.channel === "webhook" ? "webhook " : ""}page to ${nameOf(text(d.user))}: ${text(d.reason)}`;
    case "page.webhook_dead_letter":
      return `The page webhook never took ${nameOf(text(d.user))}'s page (${text(d.attempts)} attempts; last: ${text(d.error, 200)})`;
    case "sla.breached":
      return `Missed the ${text(d.severity)} response target: not acknowledged${within(d.response_target_ms)}`;
    case "status_update.reminded":
      return `Reminded the channel to post a status update${durationText(d.interval_ms) ? ` (nothing new for ${durationText(d.interval_ms)})` : ""}`;
    case "postmortem.reminded":
      return `Reminded ${nameOf(text(d.user))} to write the postmortem`;
    default:
      return undefined;
  }
}
