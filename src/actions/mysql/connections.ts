import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { execute, withMysql } from "./mysql-client.js";
import { numberOf, readGlobals } from "./global-values.js";
import type { MysqlTarget } from "./target.js";

export const mysqlConnectionsArgs = z.strictObject({});
/** Arguments of `mysql.connections`: none. */
export type MysqlConnectionsArgs = z.infer<typeof mysqlConnectionsArgs>;

const WARN_AT = 0.8;
const ERROR_AT = 0.95;

/** `mysql.connections`: how close the server is to max_connections, and who holds the connections. */
export const mysqlConnections: ActionDefinition<MysqlConnectionsArgs, MysqlTarget> = {
  name: "mysql.connections",
  kind: "diagnostic",
  targetType: "mysql",
  description: "Threads_connected against max_connections, the high-water mark, and connections per user.",
  argsSchema: mysqlConnectionsArgs,
  run: (ctx) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const status = await readGlobals(conn, "STATUS", [
        "Threads_connected",
        "Threads_running",
        "Max_used_connections",
        "Aborted_connects",
        "Connection_errors_max_connections",
      ]);
      const variables = await readGlobals(conn, "VARIABLES", ["max_connections", "max_user_connections"]);
      const byUser = await execute<{ user: string | null; connections: number | string }>(
        conn,
        "SELECT USER AS user, COUNT(*) AS connections FROM information_schema.PROCESSLIST GROUP BY USER ORDER BY connections DESC, user LIMIT 10",
      );
      const connected = numberOf(status, "Threads_connected");
      const max = numberOf(variables, "max_connections");
      const ratio = connected / max;
      const percent = Number.isFinite(ratio) ? Math.round(ratio * 1000) / 10 : null;
      const maxUsed = numberOf(status, "Max_used_connections");
      const cell = (n: number) => (Number.isFinite(n) ? n : null);
      return {
        summary: `${ctx.target.name}: ${connected} of ${max} connections in use (${percent ?? "?"}%), high-water mark ${maxUsed}`,
        status: ratio >= ERROR_AT ? "error" : ratio >= WARN_AT ? "warning" : "ok",
        table: {
          columns: ["metric", "value"],
          rows: [
            ["Threads_connected", cell(connected)],
            ["max_connections", cell(max)],
            ["percent_used", percent],
            ["Max_used_connections", cell(maxUsed)],
            ["Threads_running", cell(numberOf(status, "Threads_running"))],
            ["max_user_connections", cell(numberOf(variables, "max_user_connections"))],
            ["Aborted_connects", cell(numberOf(status, "Aborted_connects"))],
            [
              "Connection_errors_max_connections",
              cell(numberOf(status, "Connection_errors_max_connections")),
            ],
          ],
        },
        text: [
          "connections by user:",
          ...byUser.map((r) => `  ${r.user ?? "(none)"}: ${Number(r.connections)}`),
        ].join("\n"),
      };
    }),
};
