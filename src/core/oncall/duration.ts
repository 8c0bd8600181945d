const MINUTE = 60_000;
const UNITS = [
  ["d", 24 * 60 * MINUTE],
  ["h", 60 * MINUTE],
  ["m", MINUTE],
] as const;

/**
 * Writes milliseconds compactly the way `parseDuration` reads them (`1h30m`, `2d4h`,
 * `0m`), rounding down to the minute, for escalation timelines (`T+1h45m`).
 */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.floor(Math.abs(ms) / MINUTE) * MINUTE;
  if (rest === 0) return "0m";
  let out = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return sign + out;
}
