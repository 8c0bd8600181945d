import { z } from "zod";
import { channelRef } from "./incidents.js";

const DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;

/**
 * When and where the weekly report goes: every `day` at `hour:minute` in the config's
 * time zone, to `channel`. Absent (no `weekly_report:`, or `enabled: false`): no report.
 */
export interface WeeklyReportConfig {
  channel: string;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  hour: number;
  minute: number;
}

/** The `weekly_report:` section of firebreak.yaml. */
export const reportsSectionShape = {
  weekly_report: z
    .strictObject({
      channel: channelRef,
      day: z
        .string()
        .transform((d) => d.toLowerCase())
        .pipe(z.enum(DAYS, { message: `use a day of the week: ${DAYS.join(", ")}` }))
        .default("monday"),
      time: z
        .string()
        .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use a 24-hour time like "09:00"')
        .default("09:00"),
      enabled: z.boolean().default(true),
    })
    .optional(),
};

export function buildWeeklyReportConfig(
  raw: z.output<(typeof reportsSectionShape)["weekly_report"]>,
): WeeklyReportConfig | undefined {
  if (!raw?.enabled) return undefined;
  const [hour, minute] = raw.time.split(":").map(Number) as [number, number];
  return { channel: raw.channel, weekday: DAYS.indexOf(raw.day) + 1, hour, minute };
}
