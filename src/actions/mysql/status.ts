import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withMysql } from "./mysql-client.js";
import { readGlobals } from "./global-values.js";
import type { MysqlTarget } from "./target.js";

/** SHOW GLOBAL STATUS counters `mysql.status` may read. */
export const MYSQL_STATUS_NAMES = [
  "Uptime",
  "Threads_connected",
  "Threads_running",
  "Threads_created",
  "Threads_cached",
  "Max_used_connections",
  "Connections",
  "Aborted_clients",
  "Aborted_connects",
  "Connection_errors_max_connections",
  "Questions",
  "Queries",
  "Slow_queries",
  "Com_select",
  "Com_insert",
  "Com_update",
  "Com_delete",
  "Created_tmp_tables",
  "Created_tmp_disk_tables",
  "Open_tables",
  "Opened_tables",
  "Table_locks_waited",
  "Select_full_join",
  "Sort_merge_passes",
  "Bytes_received",
  "Bytes_sent",
  "Innodb_buffer_pool_pages_total",
  "Innodb_buffer_pool_pages_free",
  "Innodb_buffer_pool_pages_dirty",
  "Innodb_buffer_pool_read_requests",
  "Innodb_buffer_pool_reads",
  "Innodb_buffer_pool_wait_free",
  "Innodb_row_lock_current_waits",
  "Innodb_row_lock_waits",
  "Innodb_row_lock_time_avg",
  "Innodb_deadlocks",
] as const;

/** SHOW GLOBAL VARIABLES names `mysql.status` may read (no paths to credentials, no secrets). */
export const MYSQL_VARIABLE_NAMES = [
  "version",
  "version_comment",
  "read_only",
  "max_connections",
  "max_user_connections",
  "max_connect_errors",
  "wait_timeout",
  "interactive_timeout",
  "innodb_buffer_pool_size",
  "innodb_lock_wait_timeout",
  "innodb_flush_log_at_trx_commit",
  "innodb_io_capacity",
  "lock_wait_timeout",
  "long_query_time",
  "slow_query_log",
  "max_allowed_packet",
  "max_execution_time",
  "max_statement_time",
  "table_open_cache",
  "thread_cache_size",
  "tmp_table_size",
  "max_heap_table_size",
  "sync_binlog",
  "log_bin",
  "binlog_format",
  "transaction_isolation",
  "tx_isolation",
] as const;

const statusByLower = new Map<string, string>(MYSQL_STATUS_NAMES.map((n) => [n.toLowerCase(), n]));
const variableByLower = new Map<string, string>(MYSQL_VARIABLE_NAMES.map((n) => [n.toLowerCase(), n]));

const nameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, "a name is letters, digits and _ only")
  .refine(
    (n) => statusByLower.has(n.toLowerCase()) || variableByLower.has(n.toLowerCase()),
    "not a status counter or variable mysql.status may read",
  );

export const mysqlStatusArgs = z.strictObject({
  /** Case-insensitive names from MYSQL_STATUS_NAMES or MYSQL_VARIABLE_NAMES. */
  names: z
    .array(nameSchema)
    .min(1)
    .max(50)
    .default([
      "Uptime",
      "Threads_connected",
      "Threads_running",
      "Slow_queries",
      "max_connections",
      "version",
    ]),
});
/** Arguments of `mysql.status`. */
export type MysqlStatusArgs = z.infer<typeof mysqlStatusArgs>;

/** `mysql.status`: selected global status counters and variables, from a fixed allowlist. */
export const mysqlStatus: ActionDefinition<MysqlStatusArgs, MysqlTarget> = {
  name: "mysql.status",
  kind: "diagnostic",
  targetType: "mysql",
  description: "Selected SHOW GLOBAL STATUS counters and SHOW GLOBAL VARIABLES values.",
  argsSchema: mysqlStatusArgs,
  run: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const wanted = [...new Set(args.names.map((n) => n.toLowerCase()))];
      const statusNames = wanted.flatMap((n) => statusByLower.get(n) ?? []);
      const variableNames = wanted.flatMap((n) => variableByLower.get(n) ?? []);
      const status = await readGlobals(conn, "STATUS", statusNames);
      const variables = await readGlobals(conn, "VARIABLES", variableNames);
      const rows: (string | null)[][] = [];
      const missing: string[] = [];
      for (const n of wanted) {
        const found = status.get(n) ?? variables.get(n);
        if (found) rows.push([found.name, status.has(n) ? "status" : "variable", found.value]);
        else missing.push(statusByLower.get(n) ?? variableByLower.get(n) ?? n);
      }
      const absent = missing.length > 0 ? `; not reported by this server: ${missing.join(", ")}` : "";
      return {
        summary: `${ctx.target.name}: ${rows.length} value${rows.length === 1 ? "" : "s"}${absent}`,
        table: { columns: ["name", "kind", "value"], rows },
      };
    }),
};
