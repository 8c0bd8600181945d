import { createHash } from "node:crypto";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionOutput, ActionPreview, Table } from "../types.js";
import type { PgSession } from "./connection.js";
import { withPostgres } from "./connection.js";
import { digitsOnly, oneLine, seconds } from "./format.js";
import type { PostgresTarget } from "./target.js";

const expectSchema = z.strictObject({
  usename: z.string().max(256).nullable(),
  queryStart: z.string().max(64).nullable(),
  querySha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
});

export const postgresCancelBackendArgs = z.strictObject({
  /** The backend whose running statement to cancel. */
  pid: z
    .union([z.number(), z.string().regex(digitsOnly).transform(Number)])
    .pipe(z.number().int().min(1).max(2_147_483_647)),
  /**
   * What the approver saw: pass the preview's `expect` back here. The run refuses if the
   * backend's user or statement (same text, same start) has changed since.
   */
  expect: expectSchema.optional(),
});
/** Arguments of `postgres.cancel_backend`. */
export type PostgresCancelBackendArgs = z.infer<typeof postgresCancelBackendArgs>;
/** The facts `postgres.cancel_backend` re-checks: its preview's `expect`, to pass back as `args.expect`. */
export type PostgresCancelExpect = z.infer<typeof expectSchema>;

/** One pg_stat_activity row, as the cancel checks and shows it. */
export interface BackendRow {
  readonly pid: number;
  readonly usename: string | null;
  readonly datname: string | null;
  readonly application_name: string | null;
  readonly backend_type: string | null;
  readonly state: string | null;
  readonly wait_event_type: string | null;
  readonly wait_event: string | null;
  /** UTC, microseconds: identifies one execution of a statement. */
  readonly query_start: string | null;
  readonly query_s: number | null;
  readonly query: string | null;
}

const BACKEND = `
SELECT pid, usename, datname, application_name, backend_type, state, wait_event_type, wait_event,
       to_char(query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS query_start,
       extract(epoch FROM clock_timestamp() - query_start)::float8 AS query_s,
       query
FROM pg_stat_activity WHERE pid = $1`;

/** `postgres.cancel_backend`: pg_cancel_backend on one backend's running statement, after re-checking it. */
export const postgresCancelBackend: ActionDefinition<PostgresCancelBackendArgs, PostgresTarget> = {
  name: "postgres.cancel_backend",
  kind: "remediation",
  targetType: "postgres",
  description:
    "Cancel the statement one backend is running (pg_cancel_backend); the session and its transaction stay.",
  argsSchema: postgresCancelBackendArgs,
  preview: (ctx, args) =>
    withPostgres(ctx, async (db): Promise<ActionPreview> => {
      const row = await cancellable(ctx, db, args.pid);
      return {
        changes: [`cancel ${describe(ctx.target.name, row)}`],
        table: backendTable(row),
        expect: expectationOf(row),
      };
    }),
  run: (ctx, args) =>
    withPostgres(ctx, async (db): Promise<ActionOutput> => {
      const row = await cancellable(ctx, db, args.pid, args.expect);
      ctx.log.info({ target: ctx.target.name, pid: row.pid }, "postgres.cancel_backend");
      const [result] = await db.query<{ cancelled: boolean }>("SELECT pg_cancel_backend($1) AS cancelled", [
        row.pid,
      ]);
      if (!result?.cancelled) {
        throw new FirebreakError(
          "conflict",
          `Postgres ${ctx.target.name} could not signal pid ${row.pid}: it has probably just exited.`,
        );
      }
      return {
        summary: `${ctx.target.name}: cancelled ${describe(ctx.target.name, row)}`,
        table: backendTable(row),
      };
    }),
};

async function cancellable(
  ctx: ActionContext<PostgresTarget>,
  db: PgSession,
  pid: number,
  expect?: PostgresCancelExpect,
): Promise<BackendRow> {
  const [own] = await db.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  const [row] = await db.query<BackendRow>(BACKEND, [pid]);
  return checkCancellable(ctx.target.name, pid, row, own?.pid ?? -1, expect);
}

/**
 * The checks before a cancel, as a pure function: refuses Firebreak's own backend, a pid
 * that is gone, server processes (autovacuum, walsender…), a backend with no running
 * statement, and, given `expect`, a backend whose user or statement has changed.
 */
export function checkCancellable(
  targetName: string,
  pid: number,
  row: BackendRow | undefined,
  ownPid: number,
  expect?: PostgresCancelExpect,
): BackendRow {
  if (pid === ownPid) {
    throw new FirebreakError(
      "forbidden",
      `pid ${pid} is Firebreak's own connection to ${targetName}; not cancelled.`,
    );
  }
  if (!row) {
    throw new FirebreakError(
      "not_found",
      `pid ${pid} is not a backend of ${targetName}: it has exited or the pid is wrong. Run postgres.activity for current pids.`,
    );
  }
  if (row.backend_type !== "client backend") {
    throw new FirebreakError(
      "forbidden",
      `pid ${pid} on ${targetName} is a server process (${row.backend_type ?? "unknown"}); Firebreak cancels only client backends.`,
    );
  }
  if (row.state !== "active") {
    throw new FirebreakError(
      "conflict",
      `pid ${pid} on ${targetName} is ${row.state ?? "in an unknown state"}: it runs no statement to cancel.`,
    );
  }
  if (expect) {
    const now = expectationOf(row);
    const changed: string[] = [];
    if (now.usename !== expect.usename) changed.push(`user is now ${row.usename ?? "?"}`);
    if (now.queryStart !== expect.queryStart || now.querySha256 !== expect.querySha256) {
      changed.push("it is running a different statement");
    }
    if (changed.length > 0) {
      throw new FirebreakError(
        "conflict",
        `pid ${pid} on ${targetName} is no longer what was approved (${changed.join(", ")}); not cancelled. Preview it again.`,
      );
    }
  }
  return row;
}

function expectationOf(row: BackendRow): PostgresCancelExpect {
  return {
    usename: row.usename,
    queryStart: row.query_start,
    querySha256: row.query === null ? null : createHash("sha256").update(row.query).digest("hex"),
  };
}

function describe(targetName: string, row: BackendRow): string {
  const wait = row.wait_event_type ? `, waiting on ${row.wait_event_type}:${row.wait_event ?? ""}` : "";
  return `the statement of pid ${row.pid} on ${targetName} (${row.usename ?? "?"}, db ${row.datname ?? "?"}, running ${seconds(row.query_s)} s${wait}): ${oneLine(row.query, 120) ?? ""}`;
}

function backendTable(row: BackendRow): Table {
  return {
    columns: ["pid", "user", "db", "app", "state", "wait", "query_s", "query"],
    rows: [
      [
        row.pid,
        row.usename,
        row.datname,
        row.application_name,
        row.state,
        row.wait_event_type ? `${row.wait_event_type}:${row.wait_event ?? ""}` : null,
        seconds(row.query_s),
        oneLine(row.query, 500),
      ],
    ],
  };
}
