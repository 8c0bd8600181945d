import { userInfo } from "node:os";
import pg from "pg";
import { FirebreakError } from "../core/errors.js";

/**
 * DATABASE_URL as Firebreak connects with it: when neither the URL nor pg's own fallbacks
 * (PGUSER, then USER) name a user, the operating-system account running the process, as
 * psql does. Containers and CI runners often have no USER, and pg alone would then send
 * no user name at all ("no PostgreSQL user name specified in startup packet").
 */
export function withDatabaseUser(databaseUrl: string): string {
  if (userPgWouldSend(databaseUrl)) return databaseUrl;
  const account = osAccount();
  if (!account) return databaseUrl;
  const url = new URL(databaseUrl);
  // A URL without a host (a Unix socket given as ?host=) cannot carry a user name.
  if (url.host) url.username = account;
  else url.searchParams.set("user", account);
  return url.toString();
}

/**
 * The error for a connection Postgres refused or never answered, naming the user that was
 * tried (or that none could be found) and how to name another.
 */
export function postgresUnreachable(databaseUrl: string, err: unknown): FirebreakError {
  const user = userPgWouldSend(databaseUrl);
  const why = errorText(err);
  const fix = "name the user in DATABASE_URL, e.g. postgres://USER:PASSWORD@HOST:5432/firebreak";
  return new FirebreakError(
    "dependency_unavailable",
    user
      ? `Postgres is unreachable as user "${user}" at ${where(databaseUrl)} (${why}): check that the server is up and that this user may connect, or ${fix}.`
      : `Postgres is unreachable at ${where(databaseUrl)} (${why}): DATABASE_URL names no user, and neither PGUSER, USER nor the operating system gave one; ${fix}.`,
    { cause: err },
  );
}

/** The user pg resolves for this URL (the URL's, else PGUSER, else USER): pg reads those itself. */
function userPgWouldSend(databaseUrl: string): string | undefined {
  return new pg.Client({ connectionString: databaseUrl }).user || undefined;
}

function osAccount(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined; // a uid with no passwd entry, as some containers run
  }
}

function where(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return url.host || url.searchParams.get("host") || "localhost";
}

function errorText(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length) return errorText(err.errors[0]);
  if (err instanceof Error) return err.message || ("code" in err ? String(err.code) : err.name);
  return String(err);
}
