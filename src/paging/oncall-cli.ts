import type { FirebreakConfig } from "../config.js";
import { inputInvalid } from "../core/errors.js";
import { parseOncallCommand } from "../core/oncall/parse-oncall-command.js";
import type { Override } from "../core/oncall/types.js";
import { resolveWhen } from "../core/oncall/when.js";
import { createPool } from "../store/pool.js";
import { currentOverrides } from "../store/oncall/overrides.js";
import { simulatePolicy } from "./simulate-policy.js";

/**
 * `firebreak oncall simulate <policy|P0-P3> [--at <time>]`: the escalation dry run, with
 * the overrides made in Slack when the database answers (a note on stderr when it does not).
 */
export async function runOncallCli(
  o: { config: FirebreakConfig; databaseUrl: string; now: Date },
  args: string[],
  at: string | undefined,
  out: { log: (line: string) => void; warn: (line: string) => void },
): Promise<number> {
  const [sub, target, ...extra] = args;
  if (sub !== "simulate" || target === undefined || extra.length > 0)
    throw inputInvalid("Use `firebreak oncall simulate <policy | P0-P3> [--at <time>]`.");
  const command = parseOncallCommand(`simulate ${target}${at ? ` at ${at}` : ""}`);
  if (command.kind !== "simulate") throw inputInvalid("Use `firebreak oncall simulate <policy | P0-P3>`.");
  const when = command.at ? resolveWhen(command.at, o.now, o.config.timezone) : o.now;
  let overrides: Record<string, Override[]> = {};
  const pool = createPool(o.databaseUrl, { max: 1 });
  try {
    overrides = await currentOverrides(pool, new Date(when.getTime() - 86_400_000));
  } catch {
    out.warn("note: the database did not answer, so overrides made with /oncall are not included.");
  } finally {
    await pool.end().catch(() => undefined);
  }
  const lines = simulatePolicy(o.config.paging, command.target, when, overrides, {
    timeZone: o.config.timezone,
  });
  for (const line of lines) out.log(line.replace(/\*/g, ""));
  return 0;
}
