/** The wall-clock fields of an instant in a time zone, as the platform's Intl computes them. */
function wallClock(date: Date, timeZone: string): Record<string, string> {
  let f = FORMATTERS.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      weekday: "short",
    });
    FORMATTERS.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
}
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Formats `date` as seen on a wall clock in `timeZone` (an IANA name), with the tokens
 * Firebreak uses: `yyyy`, `MM`, `MMM`, `dd`, `d`, `EEE`, `HH`, `mm` (date-fns' meanings);
 * anything else is copied. Built on Intl (no date library to load for this).
 */
export function formatInTimeZone(date: Date, timeZone: string, pattern: string): string {
  const w = wallClock(date, timeZone);
  const tokens: Record<string, string> = {
    yyyy: w.year ?? "",
    MMM: MONTHS[Number(w.month) - 1] ?? "",
    MM: w.month ?? "",
    dd: w.day ?? "",
    d: String(Number(w.day)),
    EEE: w.weekday ?? "",
    HH: w.hour ?? "",
    mm: w.minute ?? "",
  };
  return pattern.replace(/yyyy|MMM|MM|dd|d|EEE|HH|mm/g, (t) => tokens[t] ?? t);
}
