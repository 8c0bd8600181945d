import { inputInvalid } from "./errors.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `90s`, `15m`, `1h30m`, `2d`, `1w` into milliseconds; throws input_invalid otherwise. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+\s*[smhdw]\s*)+$/.test(trimmed)) {
    throw inputInvalid(`"${text}" is not a duration: use forms like 90s, 15m, 1h30m, 2d.`);
  }
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)\s*([smhdw])/g))
    total += Number(n) * (UNIT_MS[unit!] ?? 0);
  if (total <= 0) throw inputInvalid(`"${text}" is zero: give a positive duration.`);
  return total;
}
