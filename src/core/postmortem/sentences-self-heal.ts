import { formatMs } from "../catalog/parameters.js";
import type { NameOf, PostmortemEvent } from "./describe-event.js";
import { eventData, instantText, listOf, text } from "./describe-event.js";

/** The guardrail's figures of a pre-approval, in words: "1 of 2 runs in the last hour, cooldown 10m". */
export function guardrailText(d: Record<string, unknown>): string {
  const g =
    typeof d.guardrail === "object" && d.guardrail !== null ? (d.guardrail as Record<string, unknown>) : {};
  if (typeof g.max_per_hour !== "number") return "";
  return `${String(g.runs_in_last_hour)} of ${g.max_per_hour} runs in the last hour, cooldown ${formatMs(Number(g.cooldown_ms ?? 0))}`;
}

/** Sentences for an alert route's self-heal and the hold it puts on paging. */
export function selfHealSentence(e: PostmortemEvent, nameOf: NameOf): string | undefined {
  const d = eventData(e);
  const cmd = text(d.command, 120);
  switch (e.kind) {
    case "self_heal.planned":
      return `The alert's route asked for the self-heal ${cmd} first (paging ${text(d.paging)})`;
    case "self_heal.not_run":
      return `The self-heal ${cmd} was not run: ${text(d.reason)}${
        d.offered_for_approval !== undefined
          ? ` (offered for approval as run #${text(d.offered_for_approval)})`
          : ""
      }`;
    case "self_heal.succeeded": {
      const changes = Array.isArray(d.changes) ? (d.changes as unknown[]).map((c) => text(c, 200)) : [];
      return `The self-heal ${cmd} succeeded: ${changes.length ? listOf(changes, 3) : text(d.summary)}`;
    }
    case "self_heal.failed":
      return `The self-heal ${cmd} failed: ${text(d.error)}`;
    case "self_heal.healed": {
      const paged = Array.isArray(d.paged) ? (d.paged as unknown[]).map((u) => nameOf(text(u))) : [];
      return `Self-healed by ${cmd} in ${text(d.seconds)} s; ${paged.length ? `paged: ${listOf(paged, 5)}` : "nobody was paged"}`;
    }
    case "self_heal.alert_cleared":
      return `The alert cleared while the self-heal ${cmd} ran`;
    case "escalation.held":
      return `Paging held until ${instantText(d.until)}: ${text(d.reason)}`;
    case "escalation.hold_released":
    case "escalation.hold_expired":
      return `Paging started: ${text(d.reason)}`;
    default:
      return undefined;
  }
}
