import type { Connection } from "mysql2/promise";
import { z } from "zod";
import type { ActionContext, ActionDefinition, ActionOutput, ActionPreview } from "../types.js";
import { describeKill, isServerThread, kill, sha256 } from "./kill.js";
import { execute, withMysql } from "./mysql-client.js";
import { findProcess, listProcesses, processTable } from "./process-rows.js";
import type { ProcessRow } from "./process-rows.js";
import { connectionIdSchema, secondsSchema, wholeNumberSchema } from "./schemas.js";
import type { MysqlTarget } from "./target.js";

/** A MySQL user or schema name to narrow the victims to (no wildcards). */
const nameFilter = z
  .string()
  .regex(/^[A-Za-z0-9_$.-]{1,64}$/, "a user or schema name is letters, digits and _ $ . - only");

const victim = z.strictObject({
  id: connectionIdSchema,
  user: z.string().max(512),
  host: z.string().max(512),
  infoSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});

export const mysqlKillLongQueriesArgs = z.strictObject({
  /** Only statements running at least this long. */
  minTimeSeconds: secondsSchema.pipe(z.number().min(1)),
  /** At most this many, longest first: a bound on what one run may kill. */
  maxCount: wholeNumberSchema(1, 100),
  /** `connection` ends each session (frees its connection slot); `query` stops only its statement. */
  mode: z.enum(["connection", "query"]).default("connection"),
  /** Only connections of this MySQL user. */
  user: nameFilter.optional(),
  /** Only connections using this schema. */
  db: nameFilter.optional(),
  /**
   * What the approver saw: the preview's victims. The run kills exactly those still running
   * the same statement past the threshold, and nothing that started since.
   */
  expect: z.strictObject({ victims: z.array(victim).max(100) }).optional(),
});
/** Arguments of `mysql.kill_long_queries`. */
export type MysqlKillLongQueriesArgs = z.infer<typeof mysqlKillLongQueriesArgs>;

const COMMANDS = ["Query", "Execute"];

/** Long statements that may be killed, longest first, within the bound and the filters. */
async function longQueries(conn: Connection, args: MysqlKillLongQueriesArgs): Promise<ProcessRow[]> {
  const rows = await listProcesses(conn, { minTimeSeconds: args.minTimeSeconds, commands: COMMANDS });
  return rows
    .filter((r) => !isServerThread(r))
    .filter(
      (r) => (args.user === undefined || r.user === args.user) && (args.db === undefined || r.db === args.db),
    )
    .slice(0, args.maxCount);
}

function scope(args: MysqlKillLongQueriesArgs): string {
  const only = [...(args.user ? [`user ${args.user}`] : []), ...(args.db ? [`schema ${args.db}`] : [])];
  return `${args.minTimeSeconds} s or more${only.length ? ` (${only.join(", ")})` : ""}`;
}

/**
 * `mysql.kill_long_queries`: the remedy for "Too many connections" — kills the statements
 * (by default their connections) running longer than a threshold, longest first and at
 * most `maxCount`. The preview lists exactly which; the run kills only those still running
 * the statement the approver saw (same user, host, statement, still past the threshold).
 * Firebreak's own connection and server or replication threads are never touched.
 */
export const mysqlKillLongQueries: ActionDefinition<MysqlKillLongQueriesArgs, MysqlTarget> = {
  name: "mysql.kill_long_queries",
  kind: "remediation",
  targetType: "mysql",
  description: "Kill the statements running longer than a threshold (longest first, bounded in count).",
  argsSchema: mysqlKillLongQueriesArgs,
  preview: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionPreview> => {
      const rows = await longQueries(conn, args);
      return {
        changes: rows.length
          ? rows.map((r) => describeKill(ctx.target.name, args, r))
          : [`nothing to kill on ${ctx.target.name}: no statement has run ${scope(args)}`],
        table: processTable(rows, 300),
        expect: {
          victims: rows.map((r) => ({ id: r.id, user: r.user, host: r.host, infoSha256: sha256(r.info) })),
        },
      };
    }),
  run: (ctx, args) =>
    withMysql(ctx, async (conn): Promise<ActionOutput> => {
      const victims =
        args.expect?.victims ??
        (await longQueries(conn, args)).map((r) => ({
          id: r.id,
          user: r.user,
          host: r.host,
          infoSha256: sha256(r.info),
        }));
      const killed: ProcessRow[] = [];
      const left: string[] = [];
      const [self] = await execute<{ id: number }>(conn, "SELECT CONNECTION_ID() AS id");
      for (const v of victims.slice(0, args.maxCount)) {
        const why =
          v.id === Number(self?.id)
            ? "is Firebreak's own connection"
            : await killIfStillDue(ctx, conn, v, args, killed);
        if (why) left.push(`${v.id} ${why}`);
      }
      const mode = args.mode === "query" ? "statement" : "connection";
      const summary = victims.length
        ? `${ctx.target.name}: killed ${killed.length} ${mode}${killed.length === 1 ? "" : "s"} running ${scope(args)}${
            killed.length ? ` (${killed.map((r) => r.id).join(", ")})` : ""
          }${left.length ? `; left alone: ${left.join("; ")}` : ""}`
        : `${ctx.target.name}: nothing to kill, no statement had run ${scope(args)}`;
      return {
        summary,
        status: left.length ? "warning" : "ok",
        table: processTable(killed, 300),
      };
    }),
};

/** Kills one previewed victim if it is still the statement approved; otherwise says why not. */
async function killIfStillDue(
  ctx: ActionContext<MysqlTarget>,
  conn: Connection,
  v: z.infer<typeof victim>,
  args: MysqlKillLongQueriesArgs,
  killed: ProcessRow[],
): Promise<string | null> {
  const row = await findProcess(conn, v.id);
  if (!row) return "had finished";
  if (isServerThread(row)) return "is a server thread";
  if (row.user !== v.user || row.host !== v.host || sha256(row.info) !== v.infoSha256)
    return "is no longer the statement previewed";
  if (row.time < args.minTimeSeconds || !COMMANDS.includes(row.command))
    return "is no longer a long statement";
  ctx.log.info({ target: ctx.target.name, id: row.id, mode: args.mode }, "mysql.kill_long_queries");
  await kill(conn, row.id, args.mode);
  killed.push(row);
  return null;
}
