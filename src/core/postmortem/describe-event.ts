import { humanDuration } from "../duration.js";

/** A timeline event as the postmortem reads it (a stored event fits). */
export interface PostmortemEvent {
  seq: number;
  at: Date;
  actor: string;
  kind: string;
  data: unknown;
}

/** How a user id or actor reads in a sentence ("Bob Baker", "Firebreak"). */
export type NameOf = (id: string) => string;

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

/** A number field, or undefined. */
export const numberOf = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

/** "1 alert", "3 alerts". */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A list a person would write: "a", "a and b", "a, b and 2 more". */
export function listOf(items: readonly string[], max = 3): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  if (more > 0) return `${shown.join(", ")} and ${more} more`;
  if (shown.length <= 1) return shown.join("");
  return `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

/** A duration in ms from data ("15m"), or "" when absent. */
export const durationText = (v: unknown): string => {
  const ms = numberOf(v);
  return ms === undefined ? "" : humanDuration(ms);
};

/** An ISO timestamp from data as "2026-03-01 14:00 UTC". */
export const instantText = (v: unknown): string => {
  const d = typeof v === "string" ? new Date(v) : undefined;
  return d && !Number.isNaN(d.getTime()) ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "";
};

/**
 * Slack mrkdwn as plain text: mentions become names (`<@U1>` → "Bob"), channel and link
 * markup their labels, emoji codes and formatting marks go.
 */
export function plainSlackText(s: string, nameOf: NameOf): string {
  return s
    .replace(/<@([UW][A-Z0-9]+)(?:\|[^>]*)?>/g, (_m, id: string) => nameOf(id))
    .replace(/<#[CG][A-Z0-9]+\|([^>]*)>/g, "#$1")
    .replace(/<!(here|channel|everyone)>/g, "@$1")
    .replace(/<([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<(https?:[^>]+)>/g, "$1")
    .replace(/:[a-z0-9_+-]+:\s?/g, "")
    .replace(/(^|\s)[*_~]+|[*_~]+(?=\s|$|[.,:;!?])/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .trim();
}

/** "escalation.empty_step" → "escalation empty step": the last resort for kinds nobody described. */
export const kindWords = (kind: string) => kind.replace(/[._]+/g, " ").trim();
