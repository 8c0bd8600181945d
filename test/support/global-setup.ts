import path from "node:path";
import pg from "pg";
import { migrate } from "../../src/store/migrator.js";
import { adminUrl, databaseUrl } from "./db-names.js";

/**
 * Builds one migrated template database for this test run; every test file clones it
 * (`createTestDatabase`) so files run in parallel on databases of their own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const name = `fbt_template_${process.pid}`;
  process.env.FBT_TEMPLATE_DB = name;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: databaseUrl(name), max: 1 });
  try {
    await migrate(pool, path.resolve(import.meta.dirname, "../../migrations"));
  } finally {
    await pool.end();
  }
  return async () => {
    const a = new pg.Client({ connectionString: adminUrl() });
    await a.connect();
    try {
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    } finally {
      await a.end();
    }
  };
}
