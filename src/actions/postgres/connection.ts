import pg from "pg";
import type { QueryResultRow } from "pg";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext } from "../types.js";
import type { PostgresTarget } from "./target.js";

const CONNECT_TIMEOUT_MS = 5_000;
const STATEMENT_TIMEOUT_MS = 15_000;

/** A connected client for one run; every value goes in as a `$n` parameter. */
export interface PgSession {
  query<Row extends QueryResultRow>(sql: string, values?: readonly unknown[]): Promise<Row[]>;
}

/**
 * Opens one connection for one run and always closes it. A pool would keep backends
 * open on a server that may be out of them during the very incident being debugged.
 */
export async function withPostgres<T>(
  ctx: ActionContext<PostgresTarget>,
  work: (session: PgSession) => Promise<T>,
): Promise<T> {
  const { target, signal } = ctx;
  throwIfAborted(signal, target.name);
  const client = new pg.Client({
    connectionString: target.url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    query_timeout: STATEMENT_TIMEOUT_MS + 5_000,
    application_name: "firebreak",
  });
  // A server-side disconnect surfaces as a failed query; the event itself must not crash the process.
  client.on("error", () => undefined);
  const onAbort = () => void client.end().catch(() => undefined);
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    await client.connect();
    return await work({
      query: async <Row extends QueryResultRow>(sql: string, values: readonly unknown[] = []) =>
        (await client.query<Row>(sql, values as unknown[])).rows,
    });
  } catch (err) {
    throwIfAborted(signal, target.name);
    throw translatePgError(err, target.name);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await client.end().catch(() => undefined);
  }
}

/** Translates a pg error (SQLSTATE or socket error) into a FirebreakError a user can act on. */
export function translatePgError(err: unknown, targetName: string): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: string; message?: string };
  const detail = e.message ?? String(err);
  const fail = (code: FirebreakError["code"], message: string) =>
    new FirebreakError(code, message, { cause: err, details: { target: targetName, sqlstate: e.code } });
  switch (e.code) {
    case "28P01":
    case "28000":
      return fail(
        "forbidden",
        `Postgres ${targetName} refused the login (${detail}). Check the user and password in its target URL.`,
      );
    case "42501":
      return fail(
        "forbidden",
        `Postgres ${targetName}: ${detail}. Grant Firebreak's role the privilege (e.g. pg_signal_backend), or do this by hand.`,
      );
    case "3D000":
      return fail(
        "config_invalid",
        `Postgres ${targetName}: ${detail}. Fix the database name in its target URL.`,
      );
    case "53300":
      return fail(
        "dependency_unavailable",
        `Postgres ${targetName} has no free connection (${detail}); Firebreak could not get in either.`,
      );
    case "57014":
      return fail("timeout", `Postgres ${targetName}: the query took too long and was cancelled.`);
    case "57P01":
    case "57P02":
    case "57P03":
      return fail(
        "dependency_unavailable",
        `Postgres ${targetName} is shutting down or starting up (${detail}).`,
      );
    case "ECONNREFUSED":
      return fail(
        "dependency_unavailable",
        `Postgres ${targetName} refused the connection: is it down, or is the port in its URL wrong?`,
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return fail(
        "dependency_unavailable",
        `Postgres ${targetName}: the host name in its URL does not resolve.`,
      );
  }
  if (/timeout/i.test(detail))
    return fail("timeout", `Postgres ${targetName} did not answer in time (${detail}).`);
  return fail("action_failed", `Postgres ${targetName}: ${detail}`);
}

function throwIfAborted(signal: AbortSignal, targetName: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof FirebreakError) throw reason;
  throw new FirebreakError("timeout", `Postgres ${targetName}: the run was stopped before it finished.`, {
    cause: reason,
  });
}
