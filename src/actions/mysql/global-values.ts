import type { Connection } from "mysql2/promise";
import { execute } from "./mysql-client.js";

/** A value from SHOW GLOBAL STATUS or SHOW GLOBAL VARIABLES, as the server spells its name. */
export interface GlobalValue {
  readonly name: string;
  readonly value: string;
}

/** Reads the named global status counters or variables; the names are bound parameters. Keyed by lower-case name. */
export async function readGlobals(
  conn: Connection,
  kind: "STATUS" | "VARIABLES",
  names: readonly string[],
): Promise<Map<string, GlobalValue>> {
  const found = new Map<string, GlobalValue>();
  if (names.length === 0) return found;
  const placeholders = names.map(() => "?").join(", ");
  const rows = await execute<{ Variable_name: string; Value: string | null }>(
    conn,
    `SHOW GLOBAL ${kind} WHERE Variable_name IN (${placeholders})`,
    names,
  );
  for (const row of rows) {
    found.set(row.Variable_name.toLowerCase(), { name: row.Variable_name, value: row.Value ?? "" });
  }
  return found;
}

/** A counter or variable as a number, or NaN when absent or not numeric. */
export function numberOf(values: Map<string, GlobalValue>, name: string): number {
  const v = values.get(name.toLowerCase());
  return v === undefined || v.value === "" ? Number.NaN : Number(v.value);
}
