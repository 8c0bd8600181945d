import { inputInvalid } from "../errors.js";
import { escapeMrkdwn } from "../mrkdwn.js";
import type { LabelMatcher, MatchOperator } from "./label-matcher.js";
import { matchesLabel } from "./label-matcher.js";

const NAME = /[A-Za-z_:][A-Za-z0-9_:]*/y;
const MAX_MATCHERS = 32;
const MAX_VALUE = 1024;

/** Where scanning a matcher list stopped: the matchers read and the offset after them. */
export interface ScannedMatchers {
  matchers: LabelMatcher[];
  /** Offset in the text just after the last matcher (and a closing `}`). */
  end: number;
}

/**
 * Parses a list of matchers in Alertmanager's syntax (amtool, `matchers:` in
 * alertmanager.yml): `alertname="DiskFull", namespace=~"eco.*", env!=staging`, optionally
 * in braces. Values may be double-quoted (with `\"`, `\\` and `\n` escapes) or bare (up
 * to a space or comma); regular expressions are anchored to the whole value; a missing
 * label counts as the empty string. Throws input_invalid saying where and what to fix.
 */
export function parseMatchers(text: string): LabelMatcher[] {
  const scanned = scanMatchers(text, 0, { stopAtWord: null });
  const rest = text.slice(scanned.end).trim();
  if (rest) throw inputInvalid(`Unexpected "${clip(rest)}" after the matchers.`);
  return scanned.matchers;
}

/**
 * Reads matchers from `text` at `start`, separated by commas or spaces, until the end, a
 * closing brace or — when `stopAtWord` is given — that word standing alone (`for` in
 * `/alerts maintenance env=prod for 2h`).
 */
export function scanMatchers(
  text: string,
  start: number,
  opts: { stopAtWord: string | null },
): ScannedMatchers {
  const matchers: LabelMatcher[] = [];
  let i = skipSpace(text, start);
  const braced = text[i] === "{";
  if (braced) i += 1;
  for (;;) {
    i = skipSeparators(text, i);
    if (i >= text.length) {
      if (braced) throw inputInvalid("The matchers open a `{` that is never closed.");
      break;
    }
    if (braced && text[i] === "}") {
      i += 1;
      break;
    }
    if (!braced && opts.stopAtWord && wordAt(text, i, opts.stopAtWord)) break;
    const [matcher, next] = readMatcher(text, i);
    matchers.push(matcher);
    if (matchers.length > MAX_MATCHERS) throw inputInvalid(`At most ${MAX_MATCHERS} matchers.`);
    i = next;
  }
  return { matchers, end: i };
}

/** Matchers written back in Alertmanager's syntax: `alertname="DiskFull", env!="staging"`. */
export function formatMatchers(matchers: readonly LabelMatcher[]): string {
  return matchers.map((m) => `${m.name}${m.operator}${quote(m.value)}`).join(", ");
}

/**
 * Whether the matchers could select anything but everything: at least one of them must
 * not match a missing label, as Alertmanager demands of a silence.
 */
export function selectsSomething(matchers: readonly LabelMatcher[]): boolean {
  return matchers.some((m) => !matchesLabel({}, m));
}

function readMatcher(text: string, start: number): [LabelMatcher, number] {
  NAME.lastIndex = start;
  const name = NAME.exec(text)?.[0];
  if (!name)
    throw inputInvalid(
      `Expected a label name at "${clip(text.slice(start))}": write matchers like alertname="DiskFull", env=~"prod|staging".`,
    );
  let i = skipSpace(text, start + name.length);
  const operator = (["=~", "!~", "!=", "="] as const).find((op) => text.startsWith(op, i));
  if (!operator)
    throw inputInvalid(`"${name}" needs an operator: one of =, !=, =~ or !~ (like ${name}="value").`);
  i = skipSpace(text, i + operator.length);
  const [value, next] = text[i] === '"' ? readQuoted(text, i, name) : readBare(text, i);
  if (value.length > MAX_VALUE) throw inputInvalid(`The value of ${name} is longer than ${MAX_VALUE}.`);
  return [compile(name, operator, value), next];
}

function compile(name: string, operator: MatchOperator, value: string): LabelMatcher {
  if (operator === "=" || operator === "!=") return { name, operator, value };
  try {
    return { name, operator, value, regex: new RegExp(`^(?:${value})$`, "u") };
  } catch (err) {
    throw inputInvalid(
      `${name}${operator}"${value}": not a valid regular expression (${(err as Error).message}).`,
    );
  }
}

function readQuoted(text: string, start: number, name: string): [string, number] {
  let value = "";
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text[i]!;
    if (c === '"') return [value, i + 1];
    if (c === "\\" && i + 1 < text.length) {
      const e = text[i + 1]!;
      value += e === "n" ? "\n" : e;
      i += 1;
      continue;
    }
    value += c;
  }
  throw inputInvalid(`The value of ${name} opens a quote that is never closed.`);
}

function readBare(text: string, start: number): [string, number] {
  let i = start;
  while (i < text.length && !/[\s,{}"]/.test(text[i]!)) i += 1;
  return [text.slice(start, i), i];
}

function wordAt(text: string, i: number, word: string): boolean {
  if (text.slice(i, i + word.length).toLowerCase() !== word) return false;
  const after = text[i + word.length];
  return after === undefined || /\s/.test(after);
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i]!)) i += 1;
  return i;
}

function skipSeparators(text: string, i: number): number {
  while (i < text.length && /[\s,]/.test(text[i]!)) i += 1;
  return i;
}

function quote(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

// Typed text quoted back in a refusal is shown, never rendered as markup (`<!channel>`).
function clip(text: string): string {
  return escapeMrkdwn(text.length > 40 ? `${text.slice(0, 39)}…` : text);
}
