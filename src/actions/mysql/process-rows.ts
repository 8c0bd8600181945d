import type { Connection } from "mysql2/promise";
import type { Table } from "../types.js";
import { execute } from "./mysql-client.js";

/** One row of `information_schema.PROCESSLIST`. */
export interface ProcessRow {
  readonly id: number;
  readonly user: string;
  readonly host: string;
  readonly db: string | null;
  readonly command: string;
  /** Seconds in the current state. */
  readonly time: number;
  readonly state: string | null;
  readonly info: string | null;
}

interface RawProcessRow {
  id: number | string;
  user: string | null;
  host: string | null;
  db: string | null;
  command: string | null;
  time: number | string | null;
  state: string | null;
  info: string | null;
}

const SELECT_PROCESSES = `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, COMMAND AS command,
  TIME AS time, STATE AS state, INFO AS info FROM information_schema.PROCESSLIST`;

/** The process list minus Firebreak's own connection, longest-running first. */
export async function listProcesses(
  conn: Connection,
  filter: { minTimeSeconds: number; commands: readonly string[] },
): Promise<ProcessRow[]> {
  const params: unknown[] = [filter.minTimeSeconds];
  let sql = `${SELECT_PROCESSES} WHERE ID <> CONNECTION_ID() AND TIME >= ?`;
  if (filter.commands.length > 0) {
    sql += ` AND COMMAND IN (${filter.commands.map(() => "?").join(", ")})`;
    params.push(...filter.commands);
  }
  const rows = await execute<RawProcessRow>(conn, `${sql} ORDER BY TIME DESC, ID`, params);
  return rows.map(toProcessRow);
}

/** One connection by id, or undefined when it is not (or no longer) in the process list. */
export async function findProcess(conn: Connection, id: number): Promise<ProcessRow | undefined> {
  const rows = await execute<RawProcessRow>(conn, `${SELECT_PROCESSES} WHERE ID = ?`, [id]);
  const row = rows[0];
  return row ? toProcessRow(row) : undefined;
}

export const PROCESS_COLUMNS = ["id", "user", "host", "db", "command", "time_s", "state", "info"];

/** Rows for a Table, with the statement text cut to `infoChars`. */
export function processTable(rows: readonly ProcessRow[], infoChars = 200): Table {
  return {
    columns: PROCESS_COLUMNS,
    rows: rows.map((r) => [
      r.id,
      r.user,
      r.host,
      r.db,
      r.command,
      r.time,
      r.state,
      truncate(r.info, infoChars),
    ]),
  };
}

export function truncate(text: string | null, max: number): string | null {
  if (text === null) return null;
  const oneLine = text.replace(/\s+/g, " ").trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

function toProcessRow(r: RawProcessRow): ProcessRow {
  return {
    id: Number(r.id),
    user: r.user ?? "",
    host: r.host ?? "",
    db: r.db,
    command: r.command ?? "",
    time: Number(r.time ?? 0),
    state: r.state === "" ? null : r.state,
    info: r.info,
  };
}
