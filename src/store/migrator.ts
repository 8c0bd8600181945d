import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type pg from "pg";
import { FirebreakError } from "../core/errors.js";
import { withTransaction } from "./pool.js";

const MIGRATION_FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant shared by every Firebreak process: serialises concurrent migrators.
const MIGRATION_LOCK = 0x46697265;

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

/**
 * Applies the forward-only SQL files in `dir` in order, each in its own transaction with
 * its bookkeeping row inserted first. A transaction-scoped advisory lock makes two
 * processes migrating at once take turns: the second finds the work done.
 */
export async function migrate(pool: pg.Pool, dir: string): Promise<MigrationResult> {
  const files = (await readdir(dir)).filter((f) => MIGRATION_FILE.test(f)).sort();
  assertUniqueNumbers(files);
  // Under the migration lock: two processes creating the bookkeeping table at once would
  // otherwise race in the catalogs (unique_violation, duplicate_table, duplicate_object).
  await withTransaction(pool, async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS firebreak_migrations (
      id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  });
  const applied: string[] = [];
  let alreadyApplied = 0;
  for (const file of files) {
    const id = Number(file.slice(0, 4));
    const sql = await readFile(path.join(dir, file), "utf8");
    const ran = await withTransaction(pool, async (tx) => {
      await tx.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      const done = await tx.query("SELECT 1 FROM firebreak_migrations WHERE id = $1", [id]);
      if (done.rowCount) return false;
      await tx.query("INSERT INTO firebreak_migrations (id, name) VALUES ($1, $2)", [id, file]);
      try {
        await tx.query(sql);
      } catch (err) {
        throw new FirebreakError("internal", `Migration ${file} failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      return true;
    });
    if (ran) applied.push(file);
    else alreadyApplied++;
  }
  return { applied, alreadyApplied };
}

function assertUniqueNumbers(files: string[]): void {
  const seen = new Map<string, string>();
  for (const f of files) {
    const n = f.slice(0, 4);
    const other = seen.get(n);
    if (other)
      throw new FirebreakError(
        "config_invalid",
        `Migrations ${other} and ${f} share number ${n}: renumber one.`,
      );
    seen.set(n, f);
  }
}
