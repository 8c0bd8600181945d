/** A timeline event as the postmortem reads it (a stored event fits). */
export interface PostmortemEvent {
  seq: number;
  at: Date;
  actor: string;
  kind: string;
  data: unknown;
}

/** The event's data as a record (an empty one when it is anything else). */
export function eventData(e: PostmortemEvent): Record<string, unknown> {
  return typeof e.data === "object" && e.data !== null && !Array.isArray(e.data)
    ? (e.data as Record<string, unknown>)
    : {};
}

/** A data field as short plain text ("" when absent). */
export function text(value: unknown, max = 300): string {
  const s = typeof value === "string" ? value : value == null ? "" : JSON.stringify(value);
  const oneLine = s.replace(/\s+/g, " ").trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

/** The command a `run.*` event is about, whichever name the run feature gave the field. */
export function runCommandName(d: Record<string, unknown>): string {
  return text(d.command ?? d.commandName ?? d.name ?? d.action, 120) || "(unnamed command)";
}

/**
 * One plain-text line for an event: what a reader of the postmortem needs, without Slack
 * markup. Unknown kinds (features added later) fall back to their kind and data.
 */
export function describePostmortemEvent(e: PostmortemEvent): string {
  const d = eventData(e);
  switch (e.kind) {
    case "incident.declared":
      return `Declared ${text(d.severity)}: ${text(d.title)}${d.source && d.source !== "slack" ? ` (from ${text(d.source)})` : ""}`;
    case "incident.acknowledged":
      return "Acknowledged";
    case "incident.mitigated":
      return "Mitigated";
    case "incident.resolved":
      return `Resolved${d.summary ? `: ${text(d.summary)}` : ""}`;
    case "incident.reopened":
      return "Reopened";
    case "incident.severity_changed":
      return `Severity ${text(d.from)} → ${text(d.to)}`;
    case "incident.role_assigned":
      return `${text(d.user)} made ${text(d.role)}`;
    case "incident.note":
      return `Note: ${text(d.text)}`;
    case "checklist.ticked":
      return `Checklist done: ${text(d.text)}`;
    case "checklist.unticked":
      return `Checklist reopened: ${text(d.text)}`;
    case "command.refused":
      return `Refused ${text(d.command)}: ${text(d.reason)}`;
    case "slack.message_posted":
      return `Posted${d.purpose ? ` (${text(d.purpose, 60)})` : ""}: ${text(d.text, 200)}`;
    case "slack.channel_created":
      return `Channel #${text(d.name)} created`;
    default: {
      if (e.kind.startsWith("run.")) {
        const outcome = e.kind.slice("run.".length).replace(/_/g, " ");
        return `Run ${runCommandName(d)}: ${outcome}${d.error ? ` (${text(d.error, 200)})` : ""}`;
      }
      const rest = Object.keys(d).length ? ` ${text(d, 200)}` : "";
      return `${e.kind}${rest}`;
    }
  }
}
