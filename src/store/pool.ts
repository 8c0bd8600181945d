import { createHash } from "node:crypto";
import pg from "pg";
import { FirebreakError } from "../core/errors.js";
import { postgresUnreachable, withDatabaseUser } from "./database-user.js";

/** One pg pool per process. `statement_timeout` keeps a stuck query from holding a request. */
export function createPool(
  databaseUrl: string,
  options: { max?: number; applicationName?: string } = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: withDatabaseUser(databaseUrl),
    max: options.max ?? 10,
    application_name: options.applicationName ?? "firebreak",
    connectionTimeoutMillis: 5_000,
    statement_timeout: 15_000,
  });
  // A client losing its connection (idle, or checked out mid-query: the query itself rejects)
  // must not crash the process; the next query reconnects.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
    prepareStatements(client);
  });
  return pool;
}

/** Names of the statements prepared so far, by text; bounded, for SQL built at run time. */
const statementNames = new Map<string, string>();
const MAX_PREPARED = 1_000;

/**
 * Makes `client` prepare each parameterised statement once and then only bind and execute
 * it: Postgres parses and plans a statement the first time a connection sends it, not on
 * every page, ack and outbox row (issue 10, burst paging: parsing and planning were most of
 * Postgres's work). The name is a digest of the text, so the same text is one statement; a
 * text without parameters (DDL, BEGIN, several statements at once) is sent as it is.
 */
function prepareStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = (first: unknown, ...rest: unknown[]): unknown => {
    if (beginPending.delete(client)) {
      // The transaction's first statement: plain text goes in one message with its BEGIN.
      if (typeof first === "string" && rest.length === 0)
        return (query(`BEGIN; ${first}`) as Promise<pg.QueryResult[]>).then((results) =>
          results.length === 2 ? results[1] : results.slice(1),
        );
      // Anything else follows it in the connection's queue, as every query does.
      (query("BEGIN") as Promise<unknown>).catch(() => undefined);
    }
    const values = rest[0];
    if (typeof first !== "string" || !Array.isArray(values) || values.length === 0)
      return query(first, ...rest);
    let name = statementNames.get(first);
    if (name === undefined) {
      if (statementNames.size >= MAX_PREPARED) return query(first, ...rest);
      name = `fb_${createHash("sha256").update(first).digest("base64url").slice(0, 40)}`;
      statementNames.set(first, name);
    }
    return query({ name, text: first, values }, ...rest.slice(1));
  };
  (client as { query: unknown }).query = prepared;
  lazyBegin.add(client);
}

/** Clients whose transactions can send BEGIN with their first statement (see {@link withTransaction}). */
const lazyBegin = new WeakSet<object>();
/** Clients in {@link withTransaction} that have not sent their BEGIN yet. */
const beginPending = new WeakSet<object>();

export type Queryable = Pick<pg.Pool | pg.PoolClient, "query">;

/**
 * Sends `statements` in one simple-protocol message: one round trip, each statement run
 * after the one before (in READ COMMITTED, each with its own snapshot), their results in
 * order. There are no parameters: whatever is written into a statement must be checked.
 */
export async function queryTogether<R extends unknown[]>(
  db: Queryable,
  statements: readonly string[],
): Promise<{ [K in keyof R]: pg.QueryResult<R[K] & pg.QueryResultRow> }> {
  const results = (await db.query(statements.join(";\n"))) as unknown as pg.QueryResult | pg.QueryResult[];
  return (Array.isArray(results) ? results : [results]) as {
    [K in keyof R]: pg.QueryResult<R[K] & pg.QueryResultRow>;
  };
}

/** NOTIFYs a transaction opened by {@link withTransaction} sends once it has committed. */
const notifyAfter = new WeakMap<object, Map<string, Set<string>>>();

/** Runs `fn` in a transaction, committing on success and rolling back on any error. */
export async function withTransaction<T>(pool: pg.Pool, fn: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  const notifies = new Map<string, Set<string>>();
  try {
    // On Firebreak's pool the BEGIN goes with the first statement (one round trip fewer when
    // that statement is plain text, as the escalation engine's locks are).
    if (lazyBegin.has(client)) beginPending.add(client);
    else await client.query("BEGIN");
    notifyAfter.set(client, notifies);
    const result = await fn(client);
    notifyAfter.delete(client);
    // Nothing was sent: nothing to commit, only notifications to send.
    if (beginPending.delete(client)) await sendNotifies(client, notifies);
    else await commit(client, notifies);
    return result;
  } catch (err) {
    notifyAfter.delete(client);
    if (!beginPending.delete(client)) await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    beginPending.delete(client);
    client.release();
  }
}

/**
 * NOTIFY `channel` once `tx` commits, for listeners that then read what it wrote. Inside
 * {@link withTransaction} the notifications are collected (duplicates once) and sent after
 * COMMIT, in a transaction of their own: a NOTIFY inside the caller's transaction would hold
 * Postgres's database-wide notify lock through that transaction's commit, so that every
 * notifying transaction commits one after another (issue 10, burst paging). A notification
 * lost to a crash just after commit is covered by the listeners' polls and reconciles. On a
 * pool, or a client in a transaction opened elsewhere, it is sent as a plain NOTIFY.
 */
export async function notifyAfterCommit(tx: Queryable, channel: string, payload = ""): Promise<void> {
  const pending = notifyAfter.get(tx);
  if (!pending) {
    await tx.query("SELECT pg_notify($1, $2)", [channel, payload]);
    return;
  }
  const payloads = pending.get(channel) ?? new Set<string>();
  payloads.add(payload);
  pending.set(channel, payloads);
}

/**
 * COMMITs, then sends `notifies` in a transaction of their own, in the same message as the
 * COMMIT: one round trip (the COMMIT was one already). When the notifications fail after the
 * COMMIT went through (the connection is then in the failed notify transaction), that is
 * not the caller's failure: it is rolled back and the listeners' polls pick the change up.
 */
async function commit(client: pg.PoolClient, notifies: Map<string, Set<string>>): Promise<void> {
  if (notifies.size === 0) {
    await client.query("COMMIT");
    return;
  }
  try {
    await client.query(`COMMIT; ${notifyStatements(client, notifies)}`);
  } catch (err) {
    // 'E': inside the notify transaction, so the COMMIT before it succeeded.
    if (client.getTransactionStatus() !== "E") throw err;
    await client.query("ROLLBACK").catch(() => undefined);
  }
}

/** Sends `notifies` in a transaction of their own; a failure is left to the listeners' polls. */
async function sendNotifies(client: pg.PoolClient, notifies: Map<string, Set<string>>): Promise<void> {
  if (notifies.size === 0) return;
  await client.query(notifyStatements(client, notifies)).catch(async () => {
    await client.query("ROLLBACK").catch(() => undefined);
  });
}

/** The transaction that sends `notifies`: it needs no WAL flush of its own. */
function notifyStatements(client: pg.PoolClient, notifies: Map<string, Set<string>>): string {
  const rows: string[] = [];
  for (const [channel, payloads] of notifies)
    for (const payload of payloads)
      rows.push(`(${client.escapeLiteral(channel)}, ${client.escapeLiteral(payload)})`);
  return `BEGIN; SET LOCAL synchronous_commit TO off;
       SELECT pg_notify(c, p) FROM (VALUES ${rows.join(", ")}) AS n(c, p); COMMIT`;
}

export async function connect(pool: pg.Pool): Promise<pg.PoolClient> {
  try {
    return await pool.connect();
  } catch (err) {
    throw postgresUnreachable(pool.options.connectionString ?? "", err);
  }
}

/** SQLSTATE of a pg error, if it is one. */
export function sqlState(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err && typeof err.code === "string"
    ? err.code
    : undefined;
}

/**
 * Creates the database named in the URL when it does not exist and the server lets us
 * (connects to the `postgres` maintenance database). Returns true if it created it.
 */
export async function ensureDatabase(configuredUrl: string): Promise<boolean> {
  const databaseUrl = withDatabaseUser(configuredUrl);
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!name) return false;
  const probe = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await probe.connect();
    return false;
  } catch (err) {
    if (sqlState(err) !== "3D000") throw postgresUnreachable(databaseUrl, err);
  } finally {
    await probe.end().catch(() => undefined);
  }
  url.pathname = "/postgres";
  const admin = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    return true;
  } catch (err) {
    if (sqlState(err) === "42P04") return false; // created by a concurrent process
    throw new FirebreakError(
      "dependency_unavailable",
      `Database "${name}" does not exist and could not be created (${(err as Error).message}); create it or fix DATABASE_URL.`,
      { cause: err },
    );
  } finally {
    await admin.end().catch(() => undefined);
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
