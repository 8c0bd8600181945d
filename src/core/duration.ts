import { inputInvalid } from "./errors.js";
import { escapeMrkdwn } from "./mrkdwn.js";

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Parses `90s`, `15m`, `1h30m`, `2d`, `1w` into milliseconds; throws input_invalid otherwise. */
export function parseDuration(text: string): number {
  const trimmed = text.trim().toLowerCase();
  if (!/^(\d+\s*[smhdw]\s*)+$/.test(trimmed)) {
    throw inputInvalid(`"${escapeMrkdwn(text)}" is not a duration: use forms like 90s, 15m, 1h30m, 2d.`);
  }
  let total = 0;
  for (const [, n, unit] of trimmed.matchAll(/(\d+)\s*([smhdw])/g))
    total += Number(n) * (UNIT_MS[unit!] ?? 0);
  if (total <= 0) throw inputInvalid(`"${escapeMrkdwn(text)}" is zero: give a positive duration.`);
  return total;
}

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

/** "3h 12m", "45s", "2d 4h": a compact human duration. */
export function humanDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const parts = d ? [`${d}d`, h ? `${h}h` : ""] : h ? [`${h}h`, m ? `${m}m` : ""] : m ? [`${m}m`] : [`${s}s`];
  return sign + parts.filter(Boolean).join(" ");
}

/**
 * A duration as kubectl prints ages (`45s`, `3m20s`, `49m`, `5h12m`, `14d`, `2y3d`):
 * `k8s.io/apimachinery/pkg/util/duration.HumanDuration`. Used by the Kubernetes actions'
 * tables and by the Kubernetes fake's server-side tables, so both read like kubectl.
 */
export function kubectlDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}
