import { parseDuration } from "../duration.js";
import { inputInvalid } from "../errors.js";
import { escapeMrkdwn } from "../mrkdwn.js";
import type { LabelMatcher } from "./label-matcher.js";
import { matchesAll } from "./label-matcher.js";
import { scanMatchers, selectsSomething } from "./matcher-syntax.js";
import type { LabelSet } from "./types.js";

/** The longest window `/alerts maintenance` opens (a longer one is a silence, or a config change). */
export const MAX_WINDOW_MS = 14 * 86_400_000;
const MIN_WINDOW_MS = 60_000;
const MAX_REASON = 500;

/**
 * A maintenance window: while it is active, alert groups whose labels its matchers select
 * are stored and tracked but open no incident (and so page nobody) until it ends.
 */
export interface MaintenanceWindow {
  id: number;
  matchers: readonly LabelMatcher[];
  startsAt: Date;
  endsAt: Date;
  /** Set when someone ended it early. */
  endedAt: Date | null;
  reason: string;
  createdBy: string;
}

/** Whether the window holds alerts back at `now`. */
export function isWindowActive(w: MaintenanceWindow, now: Date): boolean {
  return w.startsAt.getTime() <= now.getTime() && now.getTime() < windowEnd(w).getTime();
}

/** When the window stops (or stopped) holding alerts back. */
export function windowEnd(w: MaintenanceWindow): Date {
  return w.endedAt && w.endedAt.getTime() < w.endsAt.getTime() ? w.endedAt : w.endsAt;
}

/** The first active window (lowest id) whose matchers select `labels`, if any. */
export function windowHolding(
  labels: LabelSet,
  windows: readonly MaintenanceWindow[],
  now: Date,
): MaintenanceWindow | undefined {
  return [...windows]
    .sort((a, b) => a.id - b.id)
    .find((w) => isWindowActive(w, now) && matchesAll(labels, w.matchers));
}

/** A parsed `/alerts …` command. */
export type AlertsCommand =
  | { type: "help" }
  | { type: "maintenance_start"; matchers: LabelMatcher[]; durationMs: number; reason: string }
  | { type: "maintenance_list" }
  | { type: "maintenance_end"; id: number };

export const ALERTS_USAGE = [
  '`/alerts maintenance <matchers> for <duration> [reason]` — hold back alerts matching, e.g. `/alerts maintenance namespace=ecommerce, app=~"checkout.*" for 2h deploy v42`',
  "`/alerts maintenance list` — active and upcoming windows",
  "`/alerts maintenance end <id>` — end a window now (alerts still firing then open their incidents)",
  'Matchers use Alertmanager\'s syntax: `name="value"`, `!=`, `=~` (regular expression), `!~`.',
].join("\n");

/**
 * Parses the text after `/alerts` (as Slack sends it: `<`, `>` and `&` escaped). Throws
 * input_invalid with the usage that fits.
 */
export function parseAlertsCommand(raw: string): AlertsCommand {
  const text = raw.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&").trim();
  const sub = /^(\S+)\s*/.exec(text);
  const word = sub?.[1]?.toLowerCase() ?? "help";
  if (word === "help" || word === "?") return { type: "help" };
  if (word !== "maintenance" && word !== "mw")
    throw inputInvalid(`Unknown subcommand "${escapeMrkdwn(word)}". Try \`/alerts help\`.`);
  const rest = text.slice(sub![0].length);
  const next = /^(\S+)\s*/.exec(rest);
  const verb = next?.[1]?.toLowerCase();
  if (!next || verb === "help") return { type: "help" };
  if (verb === "list" || verb === "ls") {
    if (rest.slice(next[0].length).trim())
      throw inputInvalid("`/alerts maintenance list` takes no arguments.");
    return { type: "maintenance_list" };
  }
  if (verb === "end" || verb === "stop") {
    const id = /^#?(\d{1,9})$/.exec(rest.slice(next[0].length).trim());
    if (!id) throw inputInvalid("Name the window to end by its id: `/alerts maintenance end 7`.");
    return { type: "maintenance_end", id: Number(id[1]) };
  }
  return parseStart(rest);
}

function parseStart(text: string): AlertsCommand {
  const { matchers, end } = scanMatchers(text, 0, { stopAtWord: "for" });
  if (matchers.length === 0)
    throw inputInvalid(
      "Say which alerts the window holds back: `/alerts maintenance namespace=ecommerce for 2h [reason]`.",
    );
  if (!selectsSomething(matchers))
    throw inputInvalid(
      'These matchers would hold back every alert: at least one must require a value (like env="prod").',
    );
  const after = /^\s*for\s+(\S+)\s*([\s\S]*)$/i.exec(text.slice(end));
  if (!after)
    throw inputInvalid("Say how long after the matchers: `… for 2h [reason]` (forms like 30m, 2h, 1d).");
  const durationMs = parseDuration(after[1]!);
  if (durationMs < MIN_WINDOW_MS || durationMs > MAX_WINDOW_MS)
    throw inputInvalid("A window lasts from 1m to 14d.");
  const reason = after[2]!.trim();
  if (reason.length > MAX_REASON)
    throw inputInvalid(`The reason is ${reason.length} characters; keep it under ${MAX_REASON}.`);
  return { type: "maintenance_start", matchers, durationMs, reason };
}
