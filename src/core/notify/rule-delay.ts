import { parseDuration } from "../duration.js";
import { inputInvalid } from "../errors.js";

/** The longest a rule may wait after the page. */
export const MAX_RULE_DELAY_MS = 24 * 3_600_000;

/**
 * Reads a rule's `after`: `0m` (or `0`, `now`) for at once, else whole minutes up to 24h
 * like `1m`, `3m`, `1h30m`. Throws input_invalid naming the fix.
 */
export function parseRuleDelay(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^0+\s*[smh]?$/.test(t) || t === "now") return 0;
  let ms: number;
  try {
    ms = parseDuration(t);
  } catch {
    throw inputInvalid(`"${text}" is not a delay: use 0m for at once, or minutes like 1m, 3m, 1h30m.`);
  }
  if (ms % 60_000 !== 0 || ms > MAX_RULE_DELAY_MS)
    throw inputInvalid(`"${text}" must be whole minutes from 0m to 24h, like 1m or 3m.`);
  return ms;
}
