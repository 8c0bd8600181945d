import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quoteIdent } from "../../src/store/pool.js";
import { runCli } from "../support/cli.js";
import { PG_BASE, adminUrl, databaseUrl } from "../support/db-names.js";

// runCli hands the CLI only PATH and what a test names: no USER, no PGUSER, as in a
// container or a CI runner.
const account = userInfo().username;
const dbName = `fbt_osuser_${randomBytes(5).toString("hex")}`;
/** A DATABASE_URL for `name` on the test server that names no user. */
const urlWithoutUser = (name: string, user = "") => {
  const url = new URL(PG_BASE);
  url.username = user;
  url.password = "";
  url.pathname = `/${name}`;
  return url.toString();
};
let createdRole = false;

async function admin<T>(fn: (c: pg.Client) => Promise<T>, database?: string): Promise<T> {
  const c = new pg.Client({ connectionString: database ? databaseUrl(database) : adminUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await admin(async (c) => {
    const role = await c.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [account]);
    if (!role.rowCount) {
      await c.query(`CREATE ROLE ${quoteIdent(account)} LOGIN`);
      createdRole = true;
    }
    await c.query(`CREATE DATABASE ${dbName} OWNER ${quoteIdent(account)}`);
  });
});
afterAll(async () => {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    if (createdRole) await c.query(`DROP ROLE IF EXISTS ${quoteIdent(account)}`);
  });
});

describe("the Postgres user when DATABASE_URL names none", () => {
  it("is the operating-system account when USER is unset, as with psql", async () => {
    const env = { DATABASE_URL: urlWithoutUser(dbName) };
    const migrated = await runCli(["migrate"], env);
    expect(migrated.stderr).toBe("");
    expect(migrated.stdout).toMatch(/^applied: 0001_/);
    expect(migrated.code).toBe(0);
    const audited = await runCli(["audit", "verify"], env);
    expect(audited.stdout).toBe("0 chains, 0 events: all hashes verified\n");
    expect(audited.code).toBe(0);
    const owner = await admin(
      (c) =>
        c.query<{ owner: string }>(
          "SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'timeline_events'",
        ),
      dbName,
    );
    expect(owner.rows[0]?.owner).toBe(account);
  });

  it("is named, with how to name another, when Postgres refuses it", async () => {
    const nobody = `fbt_nobody_${randomBytes(4).toString("hex")}`;
    for (const [args, env] of [
      [["migrate"], { DATABASE_URL: urlWithoutUser(dbName, nobody) }],
      [["audit", "verify"], { DATABASE_URL: urlWithoutUser(dbName, nobody) }],
      // pg's own fallback, PGUSER, is the user tried when the URL names none.
      [["audit", "verify"], { DATABASE_URL: urlWithoutUser(dbName), PGUSER: nobody }],
    ] as const) {
      const r = await runCli([...args], env);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^firebreak: Postgres is unreachable as user "${nobody}" at [^ ]+ \\(role "${nobody}" does not exist\\)`,
        ),
      );
      expect(r.stderr).toMatch(
        /name the user in DATABASE_URL, e\.g\. postgres:\/\/USER:PASSWORD@HOST:5432\/firebreak\.$/m,
      );
    }
  });
});
