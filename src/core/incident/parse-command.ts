import { inputInvalid } from "../errors.js";
import type { IncidentRole } from "./roles.js";
import { INCIDENT_ROLES } from "./roles.js";
import { parseSeverity } from "./severity.js";
import type { Severity } from "./severity.js";
import { escapeMrkdwn } from "../mrkdwn.js";

/** A parsed `/incident …` command. `ref` is the `#N` given, if any. */
export type IncidentCommand = { ref?: number } & (
  | { type: "help" }
  | { type: "declare"; severity?: Severity; title?: string }
  | { type: "status" }
  | { type: "list"; service?: string }
  | { type: "ack" }
  | { type: "severity"; severity: Severity }
  | { type: "role"; role: IncidentRole; userId: string }
  | { type: "note"; text: string }
  | { type: "mitigate" }
  | { type: "resolve"; summary?: string }
  | { type: "reopen" }
  | { type: "timeline" }
  | { type: "escalate" }
  | { type: "followup"; text: string }
  | { type: "followups" }
  | { type: "report"; week?: string }
  | { type: "page"; target: { kind: "user"; userId: string } | { kind: "schedule"; schedule: string } }
);

export const INCIDENT_USAGE = [
  "`/incident declare [P0-P3] [service:] <title>` — declare an incident (no title: opens a form), e.g. `/incident declare P1 checkout: payments fail`",
  "`/incident status` — show the incident's summary",
  "`/incident list [service]` — open incidents (of one service)",
  "`/incident ack` — acknowledge: you are on it",
  "`/incident sev <P0-P3>` — change severity",
  "`/incident role <commander|comms|scribe> @user` — assign a role",
  "`/incident note <text>` — add a note to the timeline",
  "`/incident mitigate` — impact is mitigated",
  "`/incident resolve [summary]` — resolve",
  "`/incident reopen` — reopen a resolved incident",
  "`/incident timeline` — the latest timeline events",
  "`/incident escalate` — page the next step of the escalation path now",
  "`/incident page @user|<schedule>` — page someone (or whoever is on call) now",
  "`/incident followup <text>` — add a follow-up (stored, tickable here and on the incident page)",
  "`/incident followups` — the incident's follow-ups, with buttons to tick them off",
  "`/incident report [last|this|2026-03-11|2026-W11]` — the weekly on-call report, only for you",
  "Inside an incident channel the incident is implied; elsewhere add `#N`, e.g. `/incident ack #12`.",
].join("\n");

const MAX_TITLE = 200;
const MAX_NOTE = 3000;
const MAX_FOLLOW_UP = 500;

/** Parses the text after `/incident`; throws input_invalid with the usage that fits. */
export function parseIncidentCommand(text: string): IncidentCommand {
  let rest = text.trim();
  let ref: number | undefined;
  const takeRef = () => {
    const m = /^#(\d{1,9})(?:\s+|$)/.exec(rest);
    if (m) {
      ref = Number(m[1]);
      rest = rest.slice(m[0].length);
    }
  };
  takeRef();
  const sub = /^(\S+)\s*/.exec(rest);
  const word = sub ? sub[1]!.toLowerCase() : "help";
  rest = sub ? rest.slice(sub[0].length) : "";
  if (ref === undefined) takeRef();
  const withRef = <T extends object>(c: T) => (ref === undefined ? c : { ...c, ref });
  const noArgs = (
    type: "status" | "ack" | "mitigate" | "reopen" | "timeline" | "help" | "escalate" | "followups",
  ) => {
    if (rest)
      throw inputInvalid(
        `\`/incident ${word}\` takes no arguments (got "${escapeMrkdwn(rest)}").${type === "help" ? "" : " Try `/incident help`."}`,
      );
    return withRef({ type });
  };
  switch (word) {
    case "help":
    case "?":
      return { type: "help" };
    case "declare":
    case "new": {
      const m = /^(\S+)\s*/.exec(rest);
      const sev = m ? parseSeverity(m[1]!) : undefined;
      const title = (sev ? rest.slice(m![0].length) : rest).trim();
      if (title.length > MAX_TITLE)
        throw inputInvalid(`The title is ${title.length} characters; keep it under ${MAX_TITLE}.`);
      if (sev && !title)
        throw inputInvalid("Give a title after the severity: `/incident declare P1 Checkout is failing`.");
      return withRef({ type: "declare", ...(sev ? { severity: sev } : {}), ...(title ? { title } : {}) });
    }
    case "status":
    case "show":
      return noArgs("status");
    case "list": {
      if (!rest) return withRef({ type: "list" });
      if (!/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(rest))
        throw inputInvalid("Use `/incident list` (every open incident) or `/incident list <service>`.");
      return withRef({ type: "list", service: rest.toLowerCase() });
    }
    case "ack":
    case "acknowledge":
      return noArgs("ack");
    case "mitigate":
    case "mitigated":
      return noArgs("mitigate");
    case "reopen":
      return noArgs("reopen");
    case "timeline":
      return noArgs("timeline");
    case "escalate":
      return noArgs("escalate");
    case "followup":
    case "follow-up": {
      if (!rest)
        throw inputInvalid(
          "Say what needs doing: `/incident followup Add an alert on checkout latency` (`/incident followups` lists them).",
        );
      if (rest.length > MAX_FOLLOW_UP)
        throw inputInvalid(
          `The follow-up is ${rest.length} characters; keep it under ${MAX_FOLLOW_UP} and link a ticket for the details.`,
        );
      return withRef({ type: "followup", text: rest });
    }
    case "followups":
    case "follow-ups":
      return noArgs("followups");
    case "report": {
      if (/\s/.test(rest))
        throw inputInvalid(
          "Name one week: `/incident report`, `/incident report this`, `/incident report 2026-03-11` or `/incident report 2026-W11`.",
        );
      return rest ? { type: "report", week: rest } : { type: "report" };
    }
    case "page": {
      const user = /^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(rest);
      if (user) return withRef({ type: "page", target: { kind: "user", userId: user[1]! } });
      if (/^[a-z0-9][a-z0-9_-]{0,63}$/i.test(rest))
        return withRef({ type: "page", target: { kind: "schedule", schedule: rest.toLowerCase() } });
      throw inputInvalid(
        "Use `/incident page @user` (one person) or `/incident page <schedule>` (whoever is on call).",
      );
    }
    case "sev":
    case "severity": {
      const sev = parseSeverity(rest);
      if (!sev)
        throw inputInvalid(
          `"${escapeMrkdwn(rest || "(nothing)")}" is not a severity: use \`/incident sev P0\` … \`P3\`.`,
        );
      return withRef({ type: "severity", severity: sev });
    }
    case "role": {
      const m = /^(\S+)\s+<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$/.exec(rest);
      const role = m?.[1]?.toLowerCase();
      if (!m || !role || !(INCIDENT_ROLES as readonly string[]).includes(role)) {
        throw inputInvalid(
          "Use `/incident role <commander|comms|scribe> @user`, mentioning exactly one person.",
        );
      }
      return withRef({ type: "role", role: role as IncidentRole, userId: m[2]! });
    }
    case "note": {
      if (!rest) throw inputInvalid("Give the note's text: `/incident note Rolled back to v41`.");
      if (rest.length > MAX_NOTE)
        throw inputInvalid(`The note is ${rest.length} characters; keep it under ${MAX_NOTE}.`);
      return withRef({ type: "note", text: rest });
    }
    case "resolve":
    case "resolved": {
      if (rest.length > MAX_NOTE)
        throw inputInvalid(`The summary is ${rest.length} characters; keep it under ${MAX_NOTE}.`);
      return withRef({ type: "resolve", ...(rest ? { summary: rest } : {}) });
    }
    default:
      throw inputInvalid(`Unknown subcommand "${escapeMrkdwn(word)}". Try \`/incident help\`.`);
  }
}
