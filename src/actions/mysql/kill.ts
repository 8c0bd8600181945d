import { createHash } from "node:crypto";
import type { Connection } from "mysql2/promise";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionOutput, ActionPreview } from "../types.js";
import { execute, MYSQL_QUERY_TIMEOUT_MS, withMysql } from "./mysql-client.js";
import { findProcess, processTable, truncate } from "./process-rows.js";
import type { ProcessRow } from "./process-rows.js";
import { connectionIdSchema, secondsSchema } from "./schemas.js";
import type { MysqlTarget } from "./target.js";

export const mysqlKillArgs = z.strictObject({
  /** The process-list id to kill. */
  id: connectionIdSchema,
  /** `connection` ends the session (MySQL's plain KILL); `query` stops only its current statement. */
  mode: z.enum(["connection", "query"]).default("connection"),
  /** Refuse unless the connection has been in its current state at least this long. */
  minTimeSeconds: secondsSchema.default(60),
  /**
   * What the approver saw: pass the preview's `expect` back here. The run refuses if the
   * connection's user, host or statement has changed since.
   */
  expect: z
    .strictObject({
      user: z.string().max(512),
      host: z.string().max(512),
      infoSha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .nullable(),
    })
    .optional(),
});
/** Arguments of `mysql.kill`. */
export type MysqlKillArgs = z.infer<typeof mysqlKillArgs>;
/** The facts `mysql.kill` re-checks: its preview's `expect`, to pass back as `args.expect`. */
export type MysqlKillExpect = NonNullable<MysqlKillArgs["expect"]>;

/** Threads that belong to the server or to replication: never killed from chat. */
const SYSTEM_USERS = new Set(["system user", "event_scheduler"]);
const SYSTEM_COMMANDS = new Set([
  "Daemon",
  "Binlog Dump",
  "Binlog Dump GTID",
  "Slave_IO",
  "Slave_SQL",
  "Slave_worker",
]);

/** `mysql.kill`: kills one connection (or its statement) after re-checking it is still the one approved. */
export const mysqlKill: ActionDefinition<MysqlKillArgs, MysqlTarget> = {
  name: "mysql.kill",
  kind: "remediation",
  targetType: "mysql",
  description: "Kill one connection (or only its running statement) by process-list id.",
  argsSchema: mysqlKillArgs,
  preview: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionPreview> => {
      const row = await killableProcess(ctx, conn, args.id);
      const expect: MysqlKillExpect = { user: row.user, host: row.host, infoSha256: sha256(row.info) };
      const young =
        row.time < args.minTimeSeconds
          ? ` (not yet eligible: ${row.time} s in this state, the run refuses under ${args.minTimeSeconds} s)`
          : "";
      return {
        changes: [`${describeKill(ctx.target.name, args, row)}${young}`],
        table: processTable([row], 500),
        expect,
      };
    }),
  run: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const row = await killableProcess(ctx, conn, args.id);
      if (args.expect) assertUnchanged(ctx.target.name, row, args.expect);
      if (row.time < args.minTimeSeconds) {
        throw new FirebreakError(
          "conflict",
          `Connection ${row.id} on ${ctx.target.name} has been ${row.time} s in its current state, less than the ${args.minTimeSeconds} s threshold; not killed.`,
        );
      }
      ctx.log.info({ target: ctx.target.name, id: row.id, mode: args.mode }, "mysql.kill");
      await kill(conn, row.id, args.mode);
      return {
        summary: `${ctx.target.name}: ${describeKill(ctx.target.name, args, row).replace(/^KILL/, "killed")}`,
        table: processTable([row], 500),
      };
    }),
};

/** A thread of the server itself or of replication: never killed from chat. */
export function isServerThread(row: Pick<ProcessRow, "user" | "command">): boolean {
  return SYSTEM_USERS.has(row.user) || SYSTEM_COMMANDS.has(row.command);
}

async function killableProcess(
  ctx: ActionContext<MysqlTarget>,
  conn: Connection,
  id: number,
): Promise<ProcessRow> {
  const name = ctx.target.name;
  const [self] = await execute<{ id: number }>(conn, "SELECT CONNECTION_ID() AS id");
  if (Number(self?.id) === id) {
    throw new FirebreakError(
      "forbidden",
      `Connection ${id} is Firebreak's own connection to ${name}; not killed.`,
    );
  }
  const row = await findProcess(conn, id);
  if (!row) {
    throw new FirebreakError(
      "not_found",
      `Connection ${id} is not in the process list of ${name}: it has finished or the id is wrong. Run mysql.processlist for current ids.`,
    );
  }
  if (isServerThread(row)) {
    throw new FirebreakError(
      "forbidden",
      `Connection ${id} on ${name} is a server or replication thread (${row.user}, ${row.command}); Firebreak does not kill those.`,
    );
  }
  return row;
}

function assertUnchanged(targetName: string, row: ProcessRow, expect: MysqlKillExpect): void {
  const changed: string[] = [];
  if (row.user !== expect.user) changed.push(`user is now ${row.user}`);
  if (row.host !== expect.host) changed.push(`host is now ${row.host}`);
  if (sha256(row.info) !== expect.infoSha256) changed.push("it is running a different statement");
  if (changed.length > 0) {
    throw new FirebreakError(
      "conflict",
      `Connection ${row.id} on ${targetName} is no longer what was approved (${changed.join(", ")}); not killed. Preview it again.`,
    );
  }
}

/**
 * KILL takes its id as a bound parameter in a server-side prepared statement on MySQL and
 * MariaDB. Should a server refuse to prepare KILL (ER_UNSUPPORTED_PS, 1295), the id is
 * written as a literal instead: it is a validated positive safe integer, so its decimal
 * form is digits only.
 */
export async function kill(conn: Connection, id: number, mode: "connection" | "query"): Promise<void> {
  const statement = mode === "query" ? "KILL QUERY" : "KILL CONNECTION";
  try {
    await execute(conn, `${statement} ?`, [id]);
  } catch (err) {
    if ((err as { errno?: number }).errno !== 1295) throw err;
    if (!Number.isSafeInteger(id) || id <= 0)
      throw new FirebreakError("input_invalid", `Invalid connection id ${id}.`);
    await conn.query({ sql: `${statement} ${id.toString(10)}`, timeout: MYSQL_QUERY_TIMEOUT_MS });
  }
}

export function describeKill(targetName: string, args: Pick<MysqlKillArgs, "mode">, row: ProcessRow): string {
  const what = args.mode === "query" ? "KILL QUERY" : "KILL CONNECTION";
  const statement = row.info ? `: ${truncate(row.info, 120)}` : "";
  return `${what} ${row.id} on ${targetName} (${row.user}@${row.host}, db ${row.db ?? "none"}, ${row.command} for ${row.time} s${statement})`;
}

/** The digest a preview keeps of a statement, to tell at run time whether it is still the same one. */
export function sha256(text: string | null): string | null {
  return text === null ? null : createHash("sha256").update(text).digest("hex");
}
