import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withMysql } from "./mysql-client.js";
import { readGlobals } from "./global-values.js";
import type { MysqlTarget } from "./target.js";

const SETTINGS = [
  "slow_query_log",
  "long_query_time",
  "log_output",
  "slow_query_log_file",
  "log_queries_not_using_indexes",
  "min_examined_row_limit",
  "log_slow_rate_limit",
  "log_slow_verbosity",
];

export const mysqlSlowQuerySettingsArgs = z.strictObject({});
/** Arguments of `mysql.slow_query_settings`: none. */
export type MysqlSlowQuerySettingsArgs = z.infer<typeof mysqlSlowQuerySettingsArgs>;

/** `mysql.slow_query_settings`: whether slow queries are logged, above what time, where, and how many so far. */
export const mysqlSlowQuerySettings: ActionDefinition<MysqlSlowQuerySettingsArgs, MysqlTarget> = {
  name: "mysql.slow_query_settings",
  kind: "diagnostic",
  targetType: "mysql",
  description: "Slow query log settings (on/off, threshold, output) and the Slow_queries counter.",
  argsSchema: mysqlSlowQuerySettingsArgs,
  run: (ctx) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const variables = await readGlobals(conn, "VARIABLES", SETTINGS);
      const status = await readGlobals(conn, "STATUS", ["Slow_queries"]);
      const rows = [...variables.values(), ...status.values()].map((v) => [v.name, v.value]);
      const enabled = variables.get("slow_query_log")?.value;
      const threshold = variables.get("long_query_time")?.value;
      const on = enabled === "ON" || enabled === "1";
      return {
        summary: `${ctx.target.name}: slow query log ${on ? "on" : "off"}, long_query_time ${threshold ?? "?"} s, ${status.get("slow_queries")?.value ?? "?"} slow queries since start`,
        table: { columns: ["name", "value"], rows },
      };
    }),
};
