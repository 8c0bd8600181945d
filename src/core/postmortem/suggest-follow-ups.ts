import { humanDuration } from "../duration.js";
import type { PostmortemEvent } from "./describe-event.js";
import { eventData, text } from "./describe-event.js";
import type { PostmortemActionRun, PostmortemIncident } from "./draft.js";

const FOLLOW_UP_NOTE = /^\s*(?:follow[- ]?up|todo|action(?: item)?)\s*[:-]\s*(.+)$/is;

/**
 * Follow-ups the timeline suggests: notes starting "follow-up:", "todo:" or "action:", open
 * checklist items, a missed response target, failed runs and refused commands.
 */
export function suggestFollowUps(
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
  const failed = runs.filter((r) => /fail|error|timeout|interrupt/.test(r.outcome));
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
