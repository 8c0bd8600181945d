import { displayName, isUserId } from "../people.js";
import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { kindWords } from "./describe-event.js";
import { alertSentence, incidentSentence, slackSentence } from "./sentences-incident.js";
import type { EscalationContext } from "./sentences-paging.js";
import { pagingSentence } from "./sentences-paging.js";
import type { RunContext } from "./sentences-runs.js";
import { runSentence } from "./sentences-runs.js";
import { selfHealSentence } from "./sentences-self-heal.js";

/** Names without a directory: Firebreak's own actors by name, user ids as they are. */
const systemNames: NameOf = (id) => displayName(id, new Map());

/** What a reader may filter the timeline by. */
export type EventTag = "people" | "alerts" | "pages" | "runs" | "slack";
export const EVENT_TAGS: readonly EventTag[] = ["people", "alerts", "pages", "runs", "slack"];

/** One event with the sentence a person reads and the filters it belongs to. */
export interface DescribedEvent<E extends PostmortemEvent = PostmortemEvent> {
  event: E;
  sentence: string;
  tags: EventTag[];
}

/** The filters an event belongs to: people's actions, alerts, pages, runs, Slack messages. */
export function tagsOf(e: PostmortemEvent): EventTag[] {
  const tags: EventTag[] = [];
  if (isUserId(e.actor)) tags.push("people");
  if (e.kind.startsWith("alert.") || (e.kind === "incident.declared" && e.actor === "alertmanager"))
    tags.push("alerts");
  if (/^(page|escalation|sla)\./.test(e.kind)) tags.push("pages");
  if (e.kind.startsWith("run.") || e.kind.startsWith("self_heal.")) tags.push("runs");
  if (e.kind.startsWith("slack.")) tags.push("slack");
  return tags;
}

/**
 * Describes a timeline (in seq order) in sentences people read, with names instead of ids:
 * "Paged Bob Baker (step 1 of 3, policy default)", "Escalated to step 2: nobody acknowledged
 * within 15m", "Carol Chen ran mysql-kill-connection on orders-db, approved by Bob Baker:
 * succeeded". Earlier events give later ones their context (the policy, a run's requester
 * and approvers). Kinds nobody described yet read as their words, never as JSON.
 */
export function describeTimeline<E extends PostmortemEvent>(
  events: readonly E[],
  nameOf: NameOf = systemNames,
): DescribedEvent<E>[] {
  const escalation: EscalationContext = {};
  const runs: RunContext = new Map();
  return events.map((event) => ({
    event,
    sentence:
      incidentSentence(event, nameOf) ??
      slackSentence(event, nameOf) ??
      alertSentence(event, nameOf) ??
      selfHealSentence(event, nameOf) ??
      pagingSentence(event, nameOf, escalation) ??
      runSentence(event, nameOf, runs) ??
      `${nameOf(event.actor)}: ${kindWords(event.kind)}`,
    tags: tagsOf(event),
  }));
}

/** One event on its own (no earlier context). */
export function describePostmortemEvent(e: PostmortemEvent, nameOf: NameOf = systemNames): string {
  return describeTimeline([e], nameOf)[0]!.sentence;
}
