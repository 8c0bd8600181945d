import type { Connection, ConnectionOptions } from "mysql2/promise";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext } from "../types.js";
import { translateMysqlError } from "./errors.js";
import type { MysqlTarget } from "./target.js";

const CONNECT_TIMEOUT_MS = 5_000;
/** Client-side limit for one statement; the driver destroys the connection when it passes. */
export const MYSQL_QUERY_TIMEOUT_MS = 15_000;

/**
 * Opens one connection for one run and always closes it. A run is rare (a human clicked
 * something), so a pool would only hold idle connections against a server that may be
 * out of them already.
 */
export async function withMysql<T>(
  ctx: ActionContext<MysqlTarget>,
  work: (conn: Connection) => Promise<T>,
): Promise<T> {
  const { target, signal } = ctx;
  throwIfAborted(signal, target.name);
  let conn: Connection;
  try {
    // mysql2 is loaded on first use: a process that never runs a MySQL action never loads it.
    const { default: mysql } = await import("mysql2/promise");
    conn = await mysql.createConnection(connectionOptions(target));
  } catch (err) {
    throw translateMysqlError(err, target.name);
  }
  const onAbort = () => conn.destroy();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await work(conn);
  } catch (err) {
    throwIfAborted(signal, target.name);
    throw translateMysqlError(err, target.name);
  } finally {
    signal.removeEventListener("abort", onAbort);
    await conn.end().catch(() => conn.destroy());
  }
}

/** Runs one statement as a server-side prepared statement: every value is bound, never spliced in. */
export async function execute<Row>(
  conn: Connection,
  sql: string,
  values: readonly unknown[] = [],
): Promise<Row[]> {
  const [rows] = await conn.execute({ sql, timeout: MYSQL_QUERY_TIMEOUT_MS }, values as never[]);
  return rows as Row[];
}

/** Builds driver options from the URL ourselves, so that no URL query parameter can switch on driver features. */
function connectionOptions(target: MysqlTarget): ConnectionOptions {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch (err) {
    throw new FirebreakError("config_invalid", `MySQL target ${target.name}: its url is not a valid URL.`, {
      cause: err,
    });
  }
  if (url.protocol !== "mysql:" && url.protocol !== "mariadb:") {
    throw new FirebreakError(
      "config_invalid",
      `MySQL target ${target.name}: its url must start with mysql:// (got ${url.protocol}//).`,
    );
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const ssl = url.searchParams.get("ssl");
  return {
    host,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    connectTimeout: CONNECT_TIMEOUT_MS,
    multipleStatements: false,
    dateStrings: true,
    supportBigNumbers: true,
    // A hostile or compromised server could otherwise ask the client for local files.
    flags: ["-LOCAL_FILES"],
    ssl: ssl === "true" || ssl === "required" ? { rejectUnauthorized: true } : undefined,
  };
}

function throwIfAborted(signal: AbortSignal, targetName: string): void {
  if (!signal.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof FirebreakError) throw reason;
  throw new FirebreakError("timeout", `MySQL ${targetName}: the run was stopped before it finished.`, {
    cause: reason,
  });
}
