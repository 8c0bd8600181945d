import { parseDuration } from "../duration.js";
import { inputInvalid } from "../errors.js";
import { parseSeverity, type Severity } from "../incident/severity.js";
import { ME_HELP, parseMeCommand, type MeCommand } from "./parse-me-command.js";
import { WHEN_HELP, parseWhenSpec, type WhenSpec } from "./when.js";
import { escapeMrkdwn } from "../mrkdwn.js";

/** How long an override made in Slack lasts: for a duration from now, or until a moment. */
export type OverrideWindowSpec = { kind: "for"; ms: number } | { kind: "until"; when: WhenSpec };

/** What `/oncall` was asked, read from the command text. */
export type OncallCommand =
  /** Who is on call: on every schedule, or on `schedule`; now, or `at`. */
  | { kind: "who"; schedule?: string; at?: WhenSpec }
  /** `userId` stands in on `schedule` (or the caller's default schedule) from now. */
  | { kind: "override"; userId: string; userName?: string; window: OverrideWindowSpec; schedule?: string }
  | { kind: "override_remove"; id: string }
  /** Preview an escalation policy, named or the one for a severity, from now or `at`. */
  | {
      kind: "simulate";
      target: { kind: "policy"; name: string } | { kind: "severity"; severity: Severity };
      at?: WhenSpec;
    }
  /** `/oncall me …`: the caller's own contact methods and notification rules. */
  | { kind: "me"; command: MeCommand }
  | { kind: "help" };

const USAGE = {
  who: "/oncall [<schedule>] [at <time>], like `/oncall primary at tomorrow 09:00`",
  override:
    "/oncall override @user <duration | until <time>> [schedule], like `/oncall override @alice 4h` or `/oncall override @alice until mon 09:00 primary`",
  remove: "/oncall override remove <id>, with the id shown in the override's confirmation",
  simulate:
    "/oncall simulate <policy | P0–P3> [at <time>], like `/oncall simulate P1` or `/oncall simulate default at 02:00`",
};

/** The text `/oncall help` shows. */
export const ONCALL_HELP = [
  "*/oncall* — who is on call, overrides and escalation previews",
  "• `/oncall` — who is on call now, on every schedule",
  "• `/oncall <schedule> [at <time>]` — who is on call there, now or then",
  "• `/oncall override @user <duration> [schedule]` — stand in from now, like `/oncall override @alice 4h`",
  "• `/oncall override @user until <time> [schedule]` — like `/oncall override @alice until tomorrow 09:00`",
  "• `/oncall override remove <id>` — cancel an override",
  "• `/oncall simulate <policy | P0–P3> [at <time>]` — who would be paged, and when, if nobody acknowledged",
  ...ME_HELP,
  "• `/oncall help` — this list",
  `Times are read in the schedule's time zone, ${WHEN_HELP}.`,
].join("\n");

const NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function usageError(problem: string, usage: string): Error {
  return inputInvalid(`${problem} Usage: ${usage}`);
}

function parseMention(token: string): { userId: string; userName?: string } | undefined {
  const mention = /^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$/.exec(token);
  if (mention?.[1]) return { userId: mention[1], ...(mention[2] ? { userName: mention[2] } : {}) };
  if (/^[UW][A-Z0-9]{2,}$/.test(token)) return { userId: token };
  return undefined;
}

function scheduleName(token: string, usage: string): string {
  const name = token.toLowerCase();
  if (!NAME.test(name)) throw usageError(`"${escapeMrkdwn(token)}" is not a schedule name.`, usage);
  return name;
}

/**
 * Reads `<something> [schedule]` where the something may span several words: the longest
 * leading run of words that `read` accepts, with at most one word left for the schedule.
 */
function withOptionalSchedule<T>(
  words: string[],
  read: (text: string) => T,
  usage: string,
): { value: T; schedule?: string } {
  try {
    return { value: read(words.join(" ")) };
  } catch (whole) {
    const last = words.at(-1);
    if (words.length < 2 || last === undefined) throw whole;
    let value: T;
    try {
      value = read(words.slice(0, -1).join(" "));
    } catch {
      throw whole;
    }
    return { value, schedule: scheduleName(last, usage) };
  }
}

function parseAt(words: string[], usage: string): WhenSpec | undefined {
  if (words.length === 0) return undefined;
  if (words[0]?.toLowerCase() !== "at")
    throw usageError(`Unexpected "${escapeMrkdwn(words.join(" "))}".`, usage);
  if (words.length === 1) throw usageError("Say at what time.", usage);
  return parseWhenSpec(words.slice(1).join(" "));
}

function parseOverride(words: string[]): OncallCommand {
  const [first, ...rest] = words;
  if (first === undefined) throw usageError("Say who stands in, and for how long.", USAGE.override);
  if (first.toLowerCase() === "remove") {
    const [id, ...extra] = rest;
    if (id === undefined || extra.length > 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
      throw usageError("Give the one id of the override to remove.", USAGE.remove);
    }
    return { kind: "override_remove", id };
  }
  const who = parseMention(first);
  if (!who) {
    throw usageError(
      `"${escapeMrkdwn(first)}" is not a mention: type @ and pick the person from Slack's list so their id comes through.`,
      USAGE.override,
    );
  }
  const [keyword, ...tail] = rest;
  if (keyword === undefined) throw usageError("Say for how long, or until when.", USAGE.override);
  if (keyword.toLowerCase() === "until") {
    if (tail.length === 0) throw usageError("Say until when.", USAGE.override);
    const { value, schedule } = withOptionalSchedule(tail, parseWhenSpec, USAGE.override);
    return {
      kind: "override",
      ...who,
      window: { kind: "until", when: value },
      ...(schedule ? { schedule } : {}),
    };
  }
  const durationWords = keyword.toLowerCase() === "for" ? tail : rest;
  if (durationWords.length === 0) throw usageError("Say for how long.", USAGE.override);
  let parsed: { value: number; schedule?: string };
  try {
    parsed = withOptionalSchedule(durationWords, parseDuration, USAGE.override);
  } catch (err) {
    if (err instanceof Error && err.message.includes("Usage:")) throw err;
    throw usageError(
      `"${escapeMrkdwn(durationWords.join(" "))}" is not a duration like 90m, 4h or 2d.`,
      USAGE.override,
    );
  }
  return {
    kind: "override",
    ...who,
    window: { kind: "for", ms: parsed.value },
    ...(parsed.schedule ? { schedule: parsed.schedule } : {}),
  };
}

function parseSimulate(words: string[]): OncallCommand {
  const [first, ...rest] = words;
  if (first === undefined) throw usageError("Say which policy or severity to simulate.", USAGE.simulate);
  const severity = /^(p|sev-?)[0-3]$/i.test(first) ? parseSeverity(first) : undefined;
  const target = severity
    ? { kind: "severity" as const, severity }
    : { kind: "policy" as const, name: first.toLowerCase() };
  if (target.kind === "policy" && !NAME.test(target.name)) {
    throw usageError(`"${escapeMrkdwn(first)}" is not a policy name or a severity.`, USAGE.simulate);
  }
  const at = parseAt(rest, USAGE.simulate);
  return { kind: "simulate", target, ...(at ? { at } : {}) };
}

/**
 * Reads the text of an `/oncall` slash command. Throws an `input_invalid` FirebreakError
 * whose message says what was wrong and the right usage.
 */
export function parseOncallCommand(text: string): OncallCommand {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [first, ...rest] = words;
  if (first === undefined) return { kind: "who" };
  switch (first.toLowerCase()) {
    case "help":
      if (rest.length > 0) throw usageError(`"help" takes nothing after it.`, "/oncall help");
      return { kind: "help" };
    case "override":
      return parseOverride(rest);
    case "simulate":
      return parseSimulate(rest);
    case "me":
      return { kind: "me", command: parseMeCommand(rest) };
    case "at": {
      const at = parseAt(words, USAGE.who);
      return { kind: "who", ...(at ? { at } : {}) };
    }
    default: {
      const schedule = scheduleName(first, USAGE.who);
      const at = parseAt(rest, USAGE.who);
      return { kind: "who", schedule, ...(at ? { at } : {}) };
    }
  }
}
