import { inputInvalid } from "../errors.js";
import type { LabelSet } from "./types.js";

/** How a matcher compares a label's value (Alertmanager's four operators). */
export type MatchOperator = "=" | "!=" | "=~" | "!~";

/** One condition on one label. A missing label counts as the empty string, as in Alertmanager. */
export interface LabelMatcher {
  name: string;
  operator: MatchOperator;
  /** The literal value, or the regular expression's source for `=~` / `!~`. */
  value: string;
  /** Anchored (`^(?:value)$`), like Alertmanager's; only for `=~` / `!~`. */
  regex?: RegExp;
}

/**
 * Reads a firebreak.yaml matcher value: `"value"` (equals), `"!=value"`, `"=~regex"`,
 * `"!~regex"`. A leading `=` forces equality, so `"==~x"` matches the literal `=~x`.
 * Regular expressions are anchored to the whole value. Throws input_invalid for a regex
 * that does not compile.
 */
export function parseLabelMatcher(name: string, spec: string): LabelMatcher {
  const [operator, value] = splitOperator(spec);
  if (operator === "=~" || operator === "!~") {
    try {
      return { name, operator, value, regex: new RegExp(`^(?:${value})$`, "u") };
    } catch (err) {
      throw inputInvalid(
        `${name}: "${value}" is not a valid regular expression (${(err as Error).message}).`,
      );
    }
  }
  return { name, operator, value };
}

function splitOperator(spec: string): [MatchOperator, string] {
  for (const op of ["=~", "!~", "!="] as const) {
    if (spec.startsWith(op)) return [op, spec.slice(op.length)];
  }
  return ["=", spec.startsWith("=") ? spec.slice(1) : spec];
}

/** Whether one label set satisfies one matcher. */
export function matchesLabel(labels: LabelSet, matcher: LabelMatcher): boolean {
  const actual = Object.hasOwn(labels, matcher.name) ? labels[matcher.name]! : "";
  switch (matcher.operator) {
    case "=":
      return actual === matcher.value;
    case "!=":
      return actual !== matcher.value;
    case "=~":
      return matcher.regex!.test(actual);
    case "!~":
      return !matcher.regex!.test(actual);
  }
}

/** Whether a label set satisfies every matcher (an empty list matches everything). */
export function matchesAll(labels: LabelSet, matchers: readonly LabelMatcher[]): boolean {
  return matchers.every((m) => matchesLabel(labels, m));
}
