import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withPostgres } from "./connection.js";
import { oneLine, seconds } from "./format.js";
import { renderLockChains, rootBlockers } from "./lock-chains.js";
import type { LockNode } from "./lock-chains.js";
import type { PostgresTarget } from "./target.js";

export const postgresLocksArgs = z.strictObject({});
/** Arguments of `postgres.locks`: none. */
export type PostgresLocksArgs = z.infer<typeof postgresLocksArgs>;

/**
 * Every backend that is blocked, or blocks one that is. The wait starts at pg_locks.waitstart
 * on Postgres 14 and later; before that, at the statement's start.
 */
const blockingSql = (hasWaitStart: boolean) => `
WITH blocking AS (
  SELECT pid, pg_blocking_pids(pid) AS blocked_by FROM pg_stat_activity WHERE pid <> pg_backend_pid()
)
SELECT a.pid, b.blocked_by, a.usename, a.datname, a.state, a.wait_event_type, a.wait_event,
       extract(epoch FROM clock_timestamp() - ${
         hasWaitStart
           ? "coalesce((SELECT min(l.waitstart) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted), a.query_start)"
           : "a.query_start"
       })::float8 AS waiting_s,
       extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS xact_s,
       left(a.query, 1000) AS query
FROM pg_stat_activity a JOIN blocking b USING (pid)
WHERE cardinality(b.blocked_by) > 0 OR a.pid IN (SELECT unnest(blocked_by) FROM blocking)
ORDER BY a.pid`;

interface BlockingRow {
  pid: number;
  blocked_by: number[];
  usename: string | null;
  datname: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  waiting_s: number | null;
  xact_s: number | null;
  query: string | null;
}

/** `postgres.locks`: blocking lock chains, from the root blocker down, with how long each has waited. */
export const postgresLocks: ActionDefinition<PostgresLocksArgs, PostgresTarget> = {
  name: "postgres.locks",
  kind: "diagnostic",
  targetType: "postgres",
  description: "Blocking lock chains (pg_blocking_pids): who blocks whom, for how long, running what.",
  argsSchema: postgresLocksArgs,
  run: (ctx) =>
    withPostgres(ctx, async (db): Promise<ActionOutput> => {
      const [version] = await db.query<{ server_version_num: string }>("SHOW server_version_num");
      const rows = await db.query<BlockingRow>(blockingSql(Number(version?.server_version_num) >= 140_000));
      if (rows.length === 0) {
        return { summary: `${ctx.target.name}: no backend is blocked on a lock`, status: "ok" };
      }
      const nodes: LockNode[] = rows.map((r) => ({ pid: r.pid, blockedBy: r.blocked_by, label: label(r) }));
      const blocked = rows.filter((r) => r.blocked_by.length > 0);
      const roots = rootBlockers(nodes).map((pid) => {
        const r = rows.find((row) => row.pid === pid);
        return `pid ${pid} (${r?.state ?? "?"}, ${r?.usename ?? "?"})`;
      });
      return {
        summary: `${ctx.target.name}: ${blocked.length} backend${blocked.length === 1 ? "" : "s"} blocked; root blocker${roots.length === 1 ? "" : "s"}: ${roots.join(", ") || "none (a cycle)"}`,
        status: "warning",
        table: {
          columns: ["pid", "blocked_by", "user", "db", "state", "wait", "waiting_s", "xact_s", "query"],
          rows: rows.map((r) => [
            r.pid,
            r.blocked_by.join(", "),
            r.usename,
            r.datname,
            r.state,
            r.wait_event_type ? `${r.wait_event_type}:${r.wait_event ?? ""}` : null,
            r.blocked_by.length > 0 ? seconds(r.waiting_s) : null,
            seconds(r.xact_s),
            oneLine(r.query, 200),
          ]),
        },
        text: renderLockChains(nodes).join("\n"),
      };
    }),
};

function label(r: BlockingRow): string {
  const wait =
    r.blocked_by.length > 0
      ? `waiting ${seconds(r.waiting_s)} s`
      : `${r.state ?? "?"}, transaction open ${seconds(r.xact_s)} s`;
  return `pid ${r.pid} (${r.usename ?? "?"}, ${wait}): ${oneLine(r.query, 120) ?? ""}`;
}
