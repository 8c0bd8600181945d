import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/store/migrator.js";
import { ensureDatabase } from "../../src/store/pool.js";
import { PG_BASE, adminUrl } from "../support/db-names.js";

const MIGRATIONS = path.resolve(import.meta.dirname, "../../migrations");
const name = `fbt_migr_${process.pid}`;
const url = `${PG_BASE}/${name}`;

afterAll(async () => {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe("migrations", () => {
  it("creates the database when it does not exist, then applies every file once even when two processes race", async () => {
    expect(await ensureDatabase(url)).toBe(true);
    expect(await ensureDatabase(url)).toBe(false);
    const a = new pg.Pool({ connectionString: url, max: 2 });
    const b = new pg.Pool({ connectionString: url, max: 2 });
    // afterAll drops the database WITH (FORCE): idle clients must not surface that as a crash.
    for (const p of [a, b]) {
      p.on("error", () => undefined);
      p.on("connect", (c) => c.on("error", () => undefined));
    }
    try {
      const [ra, rb] = await Promise.all([migrate(a, MIGRATIONS), migrate(b, MIGRATIONS)]);
      const applied = [...ra.applied, ...rb.applied].sort();
      const files = (await import("node:fs"))
        .readdirSync(MIGRATIONS)
        .filter((f) => f.endsWith(".sql"))
        .sort();
      expect(applied).toEqual(files);
      const rows = await a.query("SELECT name FROM firebreak_migrations ORDER BY id");
      expect(rows.rows.map((r: { name: string }) => r.name)).toEqual(files);
      const again = await migrate(a, MIGRATIONS);
      expect(again.applied).toEqual([]);
    } finally {
      await a.end();
      await b.end();
    }
  });
});
