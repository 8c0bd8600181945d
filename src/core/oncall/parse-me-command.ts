import { inputInvalid } from "../errors.js";
import { isE164, isEmailAddress, isMethodId, isNtfyTopic } from "../notify/contact-methods.js";
import { parseRuleDelay } from "../notify/rule-delay.js";

/** Contact method types a person can add from Slack (webhooks are set in firebreak.yaml). */
export type SelfServiceType = "sms" | "voice" | "email" | "ntfy";

/** What `/oncall me …` asks for. */
export type MeCommand =
  | { kind: "show" }
  | { kind: "add"; type: SelfServiceType; target: string }
  | { kind: "verify"; code: string; methodId?: string }
  /** `afterMs: null` switches the rule off. */
  | { kind: "rule"; methodId: string; afterMs: number | null }
  | { kind: "test"; methodId: string }
  | { kind: "remove"; methodId: string }
  /** A DM before each shift always; `firstMethod`: also through the first contact method. */
  | { kind: "handoff"; firstMethod: boolean };

export const ME_USAGE = {
  add: "/oncall me add <sms | voice | email | ntfy> <number | address | topic>, like `/oncall me add sms +4915112345678`",
  verify: "/oncall me verify <code>, with the code we sent you",
  rule: "/oncall me rule <method id> <delay | off>, like `/oncall me rule sms 2m`",
  test: "/oncall me test <method id>, like `/oncall me test sms`",
  remove: "/oncall me remove <method id>",
  handoff: "/oncall me handoff <on | off> (on: also through your first contact method)",
};

/** The lines `/oncall help` adds for `/oncall me`. */
export const ME_HELP = [
  "• `/oncall me` — your contact methods, notification rules and calendar link",
  "• `/oncall me add <sms|voice|email|ntfy> <number|address|topic>` — sends a code; used once you `/oncall me verify <code>`",
  "• `/oncall me rule <method> <delay|off>` — like `/oncall me rule sms 2m`: SMS two minutes after a page",
  "• `/oncall me test <method>` — send yourself a test page",
  "• `/oncall me remove <method>` — stop using a method you added",
  "• `/oncall me handoff <on|off>` — before each shift: a DM, and with on your first contact method too",
];

function usage(problem: string, line: string): Error {
  return inputInvalid(`${problem} Usage: ${line}`);
}

/** Slack turns typed numbers and addresses into links: `<tel:+49…|+49 …>`, `<mailto:a@b.c|a@b.c>`. */
function unlink(text: string): string {
  const m = /^<(?:tel:|mailto:)([^|>]+)(?:\|[^>]*)?>$/.exec(text.trim());
  return (m?.[1] ?? text).trim();
}

function methodIdArg(word: string | undefined, line: string): string {
  if (word === undefined) throw usage("Say which contact method.", line);
  const id = word.toLowerCase();
  if (!isMethodId(id))
    throw usage(`"${word}" is not a contact method id (\`/oncall me\` lists yours).`, line);
  return id;
}

function parseAdd(words: string[]): MeCommand {
  const [typeWord, ...rest] = words;
  const type = typeWord?.toLowerCase();
  if (type !== "sms" && type !== "voice" && type !== "email" && type !== "ntfy") {
    if (type === "webhook")
      throw inputInvalid("Webhook contact methods are set in firebreak.yaml (people: … contact_methods).");
    throw usage(`Say what to add: sms, voice, email or ntfy.`, ME_USAGE.add);
  }
  if (rest.length === 0)
    throw usage(
      `Give the ${type === "email" ? "address" : type === "ntfy" ? "topic" : "number"}.`,
      ME_USAGE.add,
    );
  const joined = unlink(rest.join(" "));
  if (type === "sms" || type === "voice") {
    const number = joined.replace(/[\s()./-]/g, "");
    if (!isE164(number))
      throw usage(
        `"${joined}" is not an E.164 number: write it with + and the country code, like +4915112345678.`,
        ME_USAGE.add,
      );
    return { kind: "add", type, target: number };
  }
  if (rest.length > 1 || /\s/.test(joined)) throw usage("Give one address or topic.", ME_USAGE.add);
  if (type === "email") {
    if (!isEmailAddress(joined)) throw usage(`"${joined}" is not an email address.`, ME_USAGE.add);
    return { kind: "add", type, target: joined };
  }
  if (!isNtfyTopic(joined))
    throw usage(`"${joined}" is not an ntfy topic: letters, digits, "-" and "_", at most 64.`, ME_USAGE.add);
  return { kind: "add", type, target: joined };
}

/** Reads the words after `/oncall me`. Throws input_invalid with the usage. */
export function parseMeCommand(words: readonly string[]): MeCommand {
  const [sub, ...rest] = words;
  if (sub === undefined) return { kind: "show" };
  switch (sub.toLowerCase()) {
    case "add":
      return parseAdd(rest);
    case "verify": {
      const code = rest.at(-1);
      if (code === undefined || !/^\d{6}$/.test(code) || rest.length > 2)
        throw usage("Give the six-digit code.", ME_USAGE.verify);
      return rest.length === 2
        ? { kind: "verify", code, methodId: methodIdArg(rest[0], ME_USAGE.verify) }
        : { kind: "verify", code };
    }
    case "rule": {
      if (rest.length !== 2) throw usage("Say which method and after how long.", ME_USAGE.rule);
      const methodId = methodIdArg(rest[0], ME_USAGE.rule);
      const delay = rest[1]!;
      return {
        kind: "rule",
        methodId,
        afterMs: ["off", "none", "remove"].includes(delay.toLowerCase()) ? null : parseRuleDelay(delay),
      };
    }
    case "test":
    case "remove": {
      if (rest.length !== 1)
        throw usage(
          "Say which one contact method.",
          sub.toLowerCase() === "test" ? ME_USAGE.test : ME_USAGE.remove,
        );
      const kind = sub.toLowerCase() as "test" | "remove";
      return { kind, methodId: methodIdArg(rest[0], ME_USAGE[kind]) };
    }
    case "handoff": {
      const v = rest[0]?.toLowerCase();
      if (rest.length !== 1 || (v !== "on" && v !== "off")) throw usage("Say on or off.", ME_USAGE.handoff);
      return { kind: "handoff", firstMethod: v === "on" };
    }
    default:
      throw usage(`"${sub}" is not something \`/oncall me\` does.`, ME_USAGE.add);
  }
}
