import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withMysql } from "./mysql-client.js";
import { listProcesses, processTable } from "./process-rows.js";
import { processCommandSchema, secondsSchema, wholeNumberSchema } from "./schemas.js";
import type { MysqlTarget } from "./target.js";

export const mysqlProcesslistArgs = z.strictObject({
  /** Process-list COMMAND values to show; an empty list shows every command. A single value is accepted too. */
  commands: z
    .preprocess((v) => (typeof v === "string" ? [v] : v), z.array(processCommandSchema).max(20))
    .default(["Query", "Execute"]),
  /** Only connections at least this many seconds in their current state: 300 by default, i.e. long queries. */
  minTimeSeconds: secondsSchema.default(300),
  /** Rows shown, longest first. */
  limit: wholeNumberSchema(1, 200).default(25),
});
/** Arguments of `mysql.processlist`. */
export type MysqlProcesslistArgs = z.infer<typeof mysqlProcesslistArgs>;

/** `mysql.processlist`: connections by command and age, longest first (long-running queries by default). */
export const mysqlProcesslist: ActionDefinition<MysqlProcesslistArgs, MysqlTarget> = {
  name: "mysql.processlist",
  kind: "diagnostic",
  targetType: "mysql",
  description: "Connections filtered by command and minimum time (default: queries running 300 s or more).",
  argsSchema: mysqlProcesslistArgs,
  run: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const rows = await listProcesses(conn, {
        minTimeSeconds: args.minTimeSeconds,
        commands: args.commands,
      });
      const shown = rows.slice(0, args.limit);
      const what = args.commands.length > 0 ? args.commands.join("/") : "any command";
      const longest = rows[0];
      const tail = longest ? ` (longest: id ${longest.id}, ${longest.time} s)` : "";
      const more = rows.length > shown.length ? `, showing ${shown.length}` : "";
      return {
        summary: `${ctx.target.name}: ${rows.length} connection${rows.length === 1 ? "" : "s"} in ${what} for ≥ ${args.minTimeSeconds} s${tail}${more}`,
        table: processTable(shown),
      };
    }),
};
