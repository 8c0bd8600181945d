import { z } from "zod";
import type { ActionDefinition, ActionOutput } from "../types.js";
import { withPostgres } from "./connection.js";
import { digitsOnly, oneLine, seconds } from "./format.js";
import type { PostgresTarget } from "./target.js";

export const postgresActivityArgs = z.strictObject({
  /** How many of the longest-running statements to list. */
  limit: z
    .union([z.number(), z.string().regex(digitsOnly).transform(Number)])
    .pipe(z.number().int().min(1).max(100))
    .default(10),
});
/** Arguments of `postgres.activity`. */
export type PostgresActivityArgs = z.infer<typeof postgresActivityArgs>;

const BY_STATE = `
SELECT coalesce(state, 'unknown') AS state, count(*)::int AS backends,
       count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS waiting
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
GROUP BY 1 ORDER BY 2 DESC, 1`;

const LONGEST = `
SELECT pid, usename, datname, application_name, client_addr::text AS client, state,
       wait_event_type, wait_event,
       extract(epoch FROM clock_timestamp() - query_start)::float8 AS query_s,
       extract(epoch FROM clock_timestamp() - xact_start)::float8 AS xact_s,
       left(query, 1000) AS query
FROM pg_stat_activity
WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND state IS DISTINCT FROM 'idle'
ORDER BY coalesce(xact_start, query_start) ASC NULLS LAST
LIMIT $1`;

interface LongestRow {
  pid: number;
  usename: string | null;
  datname: string | null;
  application_name: string | null;
  client: string | null;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  query_s: number | null;
  xact_s: number | null;
  query: string | null;
}

/** `postgres.activity`: connections by state, who is waiting on a lock, and the oldest open statements and transactions. */
export const postgresActivity: ActionDefinition<PostgresActivityArgs, PostgresTarget> = {
  name: "postgres.activity",
  kind: "diagnostic",
  targetType: "postgres",
  description: "pg_stat_activity summary: backends by state, waiting on locks, longest-running statements.",
  argsSchema: postgresActivityArgs,
  run: (ctx, args) =>
    withPostgres(ctx, async (db): Promise<ActionOutput> => {
      const states = await db.query<{ state: string; backends: number; waiting: number }>(BY_STATE);
      const [settings] = await db.query<{ max_connections: string }>(
        "SELECT current_setting('max_connections') AS max_connections",
      );
      const longest = await db.query<LongestRow>(LONGEST, [args.limit]);
      const total = states.reduce((n, s) => n + s.backends, 0);
      const waiting = states.reduce((n, s) => n + s.waiting, 0);
      const breakdown = states.map((s) => `${s.backends} ${s.state}`).join(", ");
      const oldest = longest[0];
      const oldestText = oldest
        ? `; oldest: pid ${oldest.pid} ${oldest.state ?? "?"} ${seconds(oldest.xact_s ?? oldest.query_s)} s`
        : "";
      return {
        summary: `${ctx.target.name}: ${total} client backends of ${settings?.max_connections ?? "?"} (${breakdown || "none"}); ${waiting} waiting on a lock${oldestText}`,
        status: waiting > 0 ? "warning" : "ok",
        table: {
          columns: ["pid", "user", "db", "app", "client", "state", "wait", "query_s", "xact_s", "query"],
          rows: longest.map((r) => [
            r.pid,
            r.usename,
            r.datname,
            r.application_name,
            r.client,
            r.state,
            r.wait_event_type ? `${r.wait_event_type}:${r.wait_event ?? ""}` : null,
            seconds(r.query_s),
            seconds(r.xact_s),
            oneLine(r.query, 200),
          ]),
        },
        text: [
          "backends by state:",
          ...states.map((s) => `  ${s.state}: ${s.backends} (${s.waiting} waiting on a lock)`),
        ].join("\n"),
      };
    }),
};
