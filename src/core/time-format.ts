import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";

/** Formats `date` as seen on a wall clock in `timeZone` (an IANA name). */
export function formatInTimeZone(date: Date, timeZone: string, pattern: string): string {
  return format(new TZDate(date.getTime(), timeZone), pattern);
}
