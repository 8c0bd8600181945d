import path from "node:path";
import pg from "pg";
import { migrate } from "../../src/store/migrator.js";
import { TEMPLATE_DB, adminUrl, databaseUrl } from "./db-names.js";

/**
 * Builds one migrated template database per test run; every test file clones it
 * (`createTestDatabase`) so files run in parallel on databases of their own.
 */
export default async function setup(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
    // Leftovers of interrupted runs.
    const stale = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'fbt\\_%' AND datname <> $1",
      [TEMPLATE_DB],
    );
    for (const { datname } of stale.rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: databaseUrl(TEMPLATE_DB), max: 1 });
  try {
    await migrate(pool, path.resolve(import.meta.dirname, "../../migrations"));
  } finally {
    await pool.end();
  }
}
