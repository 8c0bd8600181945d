import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

/** Formats `date` as seen on a wall clock in `timeZone` (an IANA name). */
export function formatInTimeZone(date: Date, timeZone: string, pattern: string): string {
  return format(new TZDate(date.getTime(), timeZone), pattern);
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
