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
      second: "2-digit",
      hourCycle: "h23",
      weekday: "short",
    });
    FORMATTERS.set(timeZone, f);
  }
  return Object.fromEntries(f.formatToParts(date).map((p) => [p.type, p.value]));
}
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const LONG_MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const LONG_DAYS: Record<string, string> = {
  Mon: "Monday",
  Tue: "Tuesday",
  Wed: "Wednesday",
  Thu: "Thursday",
  Fri: "Friday",
  Sat: "Saturday",
  Sun: "Sunday",
};

/**
 * Formats `date` as seen on a wall clock in `timeZone` (an IANA name), with the tokens
 * Firebreak uses: `yyyy`, `MM`, `MMM`, `MMMM`, `dd`, `d`, `EEE`, `EEEE`, `HH`, `mm`, `ss`
 * (date-fns' meanings);
 * anything else is copied. Built on Intl (no date library to load for this).
 */
export function formatInTimeZone(date: Date, timeZone: string, pattern: string): string {
  const w = wallClock(date, timeZone);
  const tokens: Record<string, string> = {
    yyyy: w.year ?? "",
    MMMM: LONG_MONTHS[Number(w.month) - 1] ?? "",
    MMM: MONTHS[Number(w.month) - 1] ?? "",
    MM: w.month ?? "",
    dd: w.day ?? "",
    d: String(Number(w.day)),
    EEEE: LONG_DAYS[w.weekday ?? ""] ?? "",
    EEE: w.weekday ?? "",
    HH: w.hour ?? "",
    mm: w.minute ?? "",
    ss: w.second ?? "",
  };
  return pattern.replace(/yyyy|MMMM|MMM|MM|dd|d|EEEE|EEE|HH|mm|ss/g, (t) => tokens[t] ?? t);
}
