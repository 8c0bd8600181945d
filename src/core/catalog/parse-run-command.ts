import { inputInvalid } from "../errors.js";
import { escapeMrkdwn } from "../mrkdwn.js";

/** A parsed `/run …`: help, or a command with its raw `param=value` pairs. */
export type RunCommand =
  | { type: "help"; command?: string }
  | { type: "run"; command: string; params: Readonly<Record<string, string>> };

export const RUN_USAGE = [
  "`/run <command> [param=value …]` — run an approved catalog command",
  "`/run help` — the commands you can run here; `/run help <command>` — its parameters",
  'Quote values with spaces: `pattern="a b"`. Remediations post a preview and wait for approval.',
].join("\n");

const MAX_TEXT = 4000;
const COMMAND_NAME = /^[a-z0-9][a-z0-9._-]{0,79}$/;
const PARAM_NAME = /^[a-z][a-z0-9_]{0,39}$/;

/**
 * Splits the text after `/run` into words, honouring "double" and 'single' quotes (a
 * backslash escapes a quote or backslash inside double quotes). Nothing is evaluated:
 * `$(…)`, `;` and backticks are ordinary characters that typed validation will refuse.
 */
export function tokenize(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (quote === '"' && ch === "\\" && (text[i + 1] === '"' || text[i + 1] === "\\"))
        current += text[++i];
      else current += ch;
      continue;
    }
    if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === " " || ch === "\t") {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw inputInvalid(`A ${quote} quote is not closed: close it, e.g. pattern="a b".`);
  if (inWord) words.push(current);
  return words;
}

/** Parses the text after `/run`; throws input_invalid saying how to write it. */
export function parseRunCommand(text: string): RunCommand {
  if (text.length > MAX_TEXT)
    throw inputInvalid(`That is ${text.length} characters; keep /run under ${MAX_TEXT}.`);
  // Slack sends one line; a newline can only be an attempt to smuggle a second command.
  if (/[\r\n\u2028\u2029]/.test(text)) throw inputInvalid("`/run` takes one line: remove the line breaks.");
  const words = tokenize(text.trim());
  const [first, ...rest] = words;
  if (first === undefined || first.toLowerCase() === "help" || first === "?") {
    if (rest.length > 1) throw inputInvalid("Use `/run help` or `/run help <command>`.");
    const name = rest[0]?.toLowerCase();
    if (name !== undefined && !COMMAND_NAME.test(name))
      throw inputInvalid(`"${escapeMrkdwn(name)}" is not a command name: \`/run help\` lists them.`);
    return name === undefined ? { type: "help" } : { type: "help", command: name };
  }
  const command = first.toLowerCase();
  if (!COMMAND_NAME.test(command))
    throw inputInvalid(`"${escapeMrkdwn(first)}" is not a command name: \`/run help\` lists the commands.`);
  const params: Record<string, string> = {};
  for (const word of rest) {
    const eq = word.indexOf("=");
    if (eq <= 0)
      throw inputInvalid(
        `"${escapeMrkdwn(word)}" is not param=value: write parameters as name=value, e.g. \`/run ${command} target=orders-db\`.`,
      );
    const name = word.slice(0, eq).toLowerCase();
    if (!PARAM_NAME.test(name))
      throw inputInvalid(
        `"${escapeMrkdwn(word.slice(0, eq))}" is not a parameter name: \`/run help ${command}\` lists them.`,
      );
    if (Object.hasOwn(params, name)) throw inputInvalid(`${name} is given twice: give it once.`);
    params[name] = word.slice(eq + 1);
  }
  return { type: "run", command, params };
}
