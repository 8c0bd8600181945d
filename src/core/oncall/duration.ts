import { inputInvalid } from "../errors.js";

const MINUTE = 60_000;
const UNIT_MS = { w: 7 * 24 * 60 * MINUTE, d: 24 * 60 * MINUTE, h: 60 * MINUTE, m: MINUTE } as const;
type Unit = keyof typeof UNIT_MS;
const UNIT_ORDER: readonly Unit[] = ["w", "d", "h", "m"];

const DURATION_HELP = "use whole numbers with units w, d, h or m, largest first, like 90m, 1h30m or 2d";

/**
 * Reads a human duration such as `90m`, `1h30m`, `2d` or `1w 2d` and returns milliseconds.
 * Units: `w` weeks, `d` days, `h` hours, `m` minutes; each at most once, largest first.
 * Throws an `input_invalid` FirebreakError that says how to write one.
 */
export function parseDuration(text: string): number {
  const compact = text.trim().toLowerCase().replace(/\s+/g, "");
  if (compact === "") throw inputInvalid(`A duration is missing: ${DURATION_HELP}.`);
  const parts = [...compact.matchAll(/(\d+)([a-z]+)/g)];
  const consumed = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || consumed !== compact) {
    throw inputInvalid(`"${text.trim()}" is not a duration: ${DURATION_HELP}.`);
  }
  let total = 0;
  let lastUnitRank = -1;
  for (const [, digits = "", unit = ""] of parts) {
    const rank = UNIT_ORDER.indexOf(unit as Unit);
    if (rank === -1) {
      throw inputInvalid(`"${text.trim()}" has an unknown unit "${unit}": ${DURATION_HELP}.`);
    }
    if (rank <= lastUnitRank) {
      throw inputInvalid(`"${text.trim()}" repeats or reorders units: ${DURATION_HELP}.`);
    }
    lastUnitRank = rank;
    total += Number(digits) * UNIT_MS[unit as Unit];
  }
  if (!Number.isSafeInteger(total)) throw inputInvalid(`"${text.trim()}" is too long a duration.`);
  if (total === 0) throw inputInvalid(`"${text.trim()}" is zero: a duration must be at least 1m.`);
  return total;
}

/**
 * Writes milliseconds the way {@link parseDuration} reads them (`1h30m`, `2d`, `0m`),
 * dropping seconds. Negative values get a leading `-`.
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.floor(Math.abs(ms) / MINUTE) * MINUTE;
  if (rest === 0) return "0m";
  let out = "";
  // Weeks are left out on purpose: "T+8d" reads better than "T+1w1d" in a timeline.
  for (const unit of ["d", "h", "m"] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * UNIT_MS[unit];
  }
  return sign + out;
}
