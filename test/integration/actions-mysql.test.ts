import mysql from "mysql2/promise";
import type { Connection } from "mysql2/promise";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewAction, rejection, runAction } from "../support/actions.js";
import {
  mysqlConnections,
  mysqlKill,
  mysqlKillLongQueries,
  mysqlProcesslist,
  mysqlSetGlobal,
  mysqlSlowQuerySettings,
  mysqlStatus,
} from "../../src/actions/mysql/index.js";
import type { MysqlKillExpect, MysqlTarget } from "../../src/actions/mysql/index.js";
import type { ActionDefinition } from "../../src/actions/types.js";

const SERVER = { host: "127.0.0.1", port: 3306, user: "root", database: "test" };

const target: MysqlTarget = {
  name: "orders-db",
  url: "mysql://root@127.0.0.1:3306/test",
  allowVariables: {
    max_connect_errors: { min: 10, max: 100_000 },
    slow_query_log: { values: ["ON", "OFF"] },
  },
};

const run = <A>(action: ActionDefinition<A, MysqlTarget>, args: unknown, t: MysqlTarget = target) =>
  runAction(action, t, args);
const preview = <A>(action: ActionDefinition<A, MysqlTarget>, args: unknown) =>
  previewAction(action, target, args);

let admin: Connection;
beforeAll(async () => {
  admin = await mysql.createConnection(SERVER);
});
afterAll(async () => {
  await admin.end();
});

async function globalValue(name: string): Promise<string> {
  const [rows] = await admin.query<mysql.RowDataPacket[]>("SHOW GLOBAL VARIABLES WHERE Variable_name = ?", [
    name,
  ]);
  return String(rows[0]?.Value);
}

/** A connection busy in `SELECT SLEEP(30)`, with the outcome of that query captured. */
async function sleepingConnection() {
  const conn = await mysql.createConnection(SERVER);
  const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT CONNECTION_ID() AS id");
  const id = Number(rows[0]?.id);
  const outcome = conn.query("SELECT SLEEP(30)").then(
    () => ({ failed: false as const }),
    (err: { errno?: number; code?: string }) => ({ failed: true as const, errno: err.errno, code: err.code }),
  );
  return { id, outcome, close: () => conn.destroy() };
}

async function waitForProcess(id: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const out = await run(mysqlProcesslist, { commands: ["Query"], minTimeSeconds: 0 });
    const row = out.table?.rows.find((r) => r[0] === id);
    if (row) return { out, row };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`connection ${id} never showed up in the process list`);
}

describe("mysql.connections", () => {
  it("reports connections in use against max_connections, with the high-water mark", async () => {
    const out = await run(mysqlConnections, {});
    const values = new Map(out.table?.rows.map((r) => [r[0], r[1]]));
    expect(values.get("Threads_connected")).toBeGreaterThanOrEqual(1);
    expect(values.get("max_connections")).toBe(Number(await globalValue("max_connections")));
    expect(values.get("percent_used")).toBeGreaterThan(0);
    expect(values.get("Max_used_connections")).toBeGreaterThanOrEqual(1);
    expect(out.summary).toMatch(/^orders-db: \d+ of \d+ connections in use \([\d.]+%\)/);
    expect(out.text).toContain("root:");
  });
});

describe("mysql.status", () => {
  it("reads allowlisted status counters and variables, whatever their case", async () => {
    const out = await run(mysqlStatus, { names: ["threads_connected", "MAX_CONNECTIONS", "Uptime"] });
    expect(out.table?.columns).toEqual(["name", "kind", "value"]);
    const byName = new Map(out.table?.rows.map((r) => [String(r[0]).toLowerCase(), r]));
    expect(byName.get("threads_connected")?.[1]).toBe("status");
    expect(byName.get("max_connections")?.[1]).toBe("variable");
    expect(byName.get("max_connections")?.[2]).toBe(await globalValue("max_connections"));
  });

  it("refuses names outside its allowlist", () => {
    expect(mysqlStatus.argsSchema.safeParse({ names: ["ssl_key"] }).success).toBe(false);
    expect(mysqlStatus.argsSchema.safeParse({ names: ["Uptime' OR 1=1 --"] }).success).toBe(false);
  });
});

describe("mysql.slow_query_settings", () => {
  it("shows whether slow queries are logged and above what time", async () => {
    const out = await run(mysqlSlowQuerySettings, {});
    const names = out.table?.rows.map((r) => r[0]);
    expect(names).toEqual(expect.arrayContaining(["slow_query_log", "long_query_time", "Slow_queries"]));
    expect(out.summary).toMatch(/slow query log (on|off), long_query_time [\d.]+ s/);
  });
});

describe("mysql.processlist and mysql.kill", () => {
  it("lists a long query, previews its kill, and kills it so the query fails", async () => {
    const victim = await sleepingConnection();
    try {
      const { row } = await waitForProcess(victim.id);
      expect(row[4]).toBe("Query");
      expect(row[7]).toBe("SELECT SLEEP(30)");

      const p = await preview(mysqlKill, { id: victim.id, minTimeSeconds: 0 });
      expect(p.changes).toHaveLength(1);
      expect(p.changes[0]).toContain(`KILL CONNECTION ${victim.id} on orders-db (root@`);
      expect(p.changes[0]).toContain("SELECT SLEEP(30)");
      expect(p.table?.rows).toHaveLength(1);
      expect(p.table?.rows[0]?.[0]).toBe(victim.id);
      expect(p.table?.rows[0]?.[7]).toBe("SELECT SLEEP(30)");

      const out = await run(mysqlKill, { id: String(victim.id), minTimeSeconds: 0, expect: p.expect });
      expect(out.summary).toContain(`killed CONNECTION ${victim.id}`);
      const outcome = await victim.outcome;
      expect(outcome.failed).toBe(true);
      expect(outcome.failed && (outcome.errno === 1317 || outcome.code === "PROTOCOL_CONNECTION_LOST")).toBe(
        true,
      );
    } finally {
      victim.close();
    }
  });

  it("kills only the statement in query mode, leaving the connection open", async () => {
    const victim = await sleepingConnection();
    try {
      await waitForProcess(victim.id);
      await run(mysqlKill, { id: victim.id, mode: "query", minTimeSeconds: 0 });
      expect(await victim.outcome).toEqual({ failed: true, errno: 1317, code: "ER_QUERY_INTERRUPTED" });
    } finally {
      victim.close();
    }
  });

  it("refuses when the connection is no longer what was approved, or younger than the threshold", async () => {
    const victim = await sleepingConnection();
    try {
      await waitForProcess(victim.id);
      const p = await preview(mysqlKill, { id: victim.id, minTimeSeconds: 0 });
      const approved = p.expect as MysqlKillExpect;

      const changed = await rejection(
        run(mysqlKill, { id: victim.id, minTimeSeconds: 0, expect: { ...approved, user: "someone_else" } }),
      );
      expect(changed.code).toBe("conflict");
      expect(changed.message).toContain("no longer what was approved");

      const young = await rejection(
        run(mysqlKill, { id: victim.id, minTimeSeconds: 3600, expect: approved }),
      );
      expect(young.code).toBe("conflict");
      expect(young.message).toContain("less than the 3600 s threshold");

      const still = await waitForProcess(victim.id);
      expect(still.row[7]).toBe("SELECT SLEEP(30)");
    } finally {
      victim.close();
    }
  });

  it("refuses to kill an id that is not in the process list", async () => {
    const err = await rejection(run(mysqlKill, { id: 2_000_000_000, minTimeSeconds: 0 }));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("Connection 2000000000 is not in the process list of orders-db");
    const previewErr = await rejection(preview(mysqlKill, { id: 2_000_000_000 }));
    expect(previewErr.code).toBe("not_found");
  });

  it("takes only a positive whole number as the id", () => {
    for (const id of [0, -1, 1.5, "12; DROP TABLE x", "0x10", "1e3", "12 OR 1=1", "１２"]) {
      expect(mysqlKill.argsSchema.safeParse({ id }).success, String(id)).toBe(false);
    }
  });
});

describe("mysql.kill_long_queries", () => {
  // Its own schema: other files' sleeping queries (in `test`) are never candidates.
  const schema = `fbt_klq_${process.pid}`;
  const sleepers: { id: number; outcome: Promise<{ failed: boolean; errno?: number }>; close(): void }[] = [];

  beforeAll(async () => {
    await admin.query(`CREATE DATABASE IF NOT EXISTS ${schema}`);
  });
  afterAll(async () => {
    for (const s of sleepers) s.close();
    await admin.query(`DROP DATABASE IF EXISTS ${schema}`);
  });

  /** A connection on the schema, busy in SELECT SLEEP(30). */
  async function sleeper() {
    const conn = await mysql.createConnection({ ...SERVER, database: schema });
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT CONNECTION_ID() AS id");
    const id = Number(rows[0]?.id);
    const outcome = conn.query("SELECT SLEEP(30) AS fbt_long").then(
      () => ({ failed: false }),
      (err: { errno?: number }) => ({ failed: true, errno: err.errno }),
    );
    const s = { id, outcome, close: () => conn.destroy() };
    sleepers.push(s);
    return s;
  }

  async function runningAtLeast(ids: number[], seconds: number) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const [rows] = await admin.query<mysql.RowDataPacket[]>(
        "SELECT ID, TIME FROM information_schema.PROCESSLIST WHERE ID IN (?)",
        [ids],
      );
      if (rows.length === ids.length && rows.every((r) => Number(r.TIME) >= seconds)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the sleepers never ran long enough");
  }

  const alive = async (id: number) => {
    const [rows] = await admin.query<mysql.RowDataPacket[]>(
      "SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?",
      [id],
    );
    return rows.length === 1;
  };

  it("previews the longest statements up to max_count and kills exactly those, ending their connections", async () => {
    const [a, b, c] = [await sleeper(), await sleeper(), await sleeper()];
    await runningAtLeast([a.id, b.id, c.id], 1);
    const args = { minTimeSeconds: 1, maxCount: 2, db: schema };
    const p = await previewAction(mysqlKillLongQueries, target, args);
    expect(p.changes).toHaveLength(2);
    expect(p.changes[0]).toMatch(
      new RegExp(
        `^KILL CONNECTION ${a.id} on orders-db \\(root@.*, db ${schema}, Query for \\d+ s: SELECT SLEEP\\(30\\)`,
      ),
    );
    expect(p.changes[1]).toMatch(new RegExp(`^KILL CONNECTION ${b.id} on orders-db`));
    expect(await alive(a.id)).toBe(true);

    const out = await runAction(mysqlKillLongQueries, target, { ...args, expect: p.expect });
    expect(out.summary).toBe(
      `orders-db: killed 2 connections running 1 s or more (schema ${schema}) (${a.id}, ${b.id})`,
    );
    expect(out.status).toBe("ok");
    expect(await a.outcome).toMatchObject({ failed: true });
    expect(await b.outcome).toMatchObject({ failed: true });
    expect(await alive(c.id)).toBe(true);
    await end(c);
  });

  it("leaves alone what finished or changed since the preview, and says so", async () => {
    const [a, b] = [await sleeper(), await sleeper()];
    await runningAtLeast([a.id, b.id], 1);
    const args = { minTimeSeconds: 1, maxCount: 5, mode: "query", db: schema };
    const p = await previewAction(mysqlKillLongQueries, target, args);
    expect(p.changes.map((line) => line.split(" ")[2])).toEqual([String(a.id), String(b.id)]);
    await end(a);
    const out = await runAction(mysqlKillLongQueries, target, { ...args, expect: p.expect });
    expect(out.summary).toContain(
      `killed 1 statement running 1 s or more (schema ${schema}) (${b.id}); left alone: ${a.id} had finished`,
    );
    expect(out.status).toBe("warning");
    // KILL QUERY: the statement fails, the connection stays.
    expect(await b.outcome).toMatchObject({ failed: true });
    expect(await alive(b.id)).toBe(true);
    await end(b);
  });

  it("previews that there is nothing to kill when nothing runs that long", async () => {
    const p = await previewAction(mysqlKillLongQueries, target, {
      minTimeSeconds: 3600,
      maxCount: 1,
      db: schema,
    });
    expect(p.changes).toEqual([
      `nothing to kill on orders-db: no statement has run 3600 s or more (schema ${schema})`,
    ]);
    const out = await runAction(mysqlKillLongQueries, target, {
      minTimeSeconds: 3600,
      maxCount: 1,
      db: schema,
      expect: p.expect,
    });
    expect(out.summary).toBe(
      `orders-db: nothing to kill, no statement had run 3600 s or more (schema ${schema})`,
    );
  });

  it("is bounded: at most 100 per run, at least a second old, names without wildcards", () => {
    const parse = (a: unknown) => mysqlKillLongQueries.argsSchema.safeParse(a).success;
    expect(parse({ minTimeSeconds: 1, maxCount: 100 })).toBe(true);
    expect(parse({ minTimeSeconds: 1, maxCount: 101 })).toBe(false);
    expect(parse({ minTimeSeconds: 0, maxCount: 1 })).toBe(false);
    expect(parse({ minTimeSeconds: 1, maxCount: 1, user: "app%" })).toBe(false);
  });

  /** Ends a sleeper on the server (closing the client alone leaves SLEEP running there). */
  async function end(s: { id: number; outcome: Promise<unknown>; close(): void }) {
    await admin.query("KILL CONNECTION ?", [s.id]);
    await s.outcome;
    s.close();
  }
});

describe("mysql.set_global", () => {
  it("refuses a variable the target does not allow", async () => {
    const err = await rejection(preview(mysqlSetGlobal, { variable: "max_connections", value: 300 }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("max_connections is not in the allowVariables of MySQL target orders-db");
    expect((await rejection(run(mysqlSetGlobal, { variable: "max_connections", value: 300 }))).code).toBe(
      "forbidden",
    );
  });

  it("refuses values outside the configured bounds or enum", async () => {
    const above = await rejection(run(mysqlSetGlobal, { variable: "max_connect_errors", value: "1000000" }));
    expect(above.code).toBe("input_invalid");
    expect(above.message).toContain("above the maximum 100000");
    const below = await rejection(run(mysqlSetGlobal, { variable: "max_connect_errors", value: 1 }));
    expect(below.message).toContain("below the minimum 10");
    const enumValue = await rejection(run(mysqlSetGlobal, { variable: "slow_query_log", value: "MAYBE" }));
    expect(enumValue.message).toContain("accepts only ON, OFF");
  });

  it("previews, applies an in-bounds value, and can be restored", async () => {
    const original = await globalValue("max_connect_errors");
    const wanted = original === "4321" ? "4322" : "4321";
    try {
      const p = await preview(mysqlSetGlobal, { variable: "max_connect_errors", value: wanted });
      expect(p.changes).toEqual([`max_connect_errors ${original} → ${wanted}`]);
      expect(await globalValue("max_connect_errors")).toBe(original);

      const out = await run(mysqlSetGlobal, {
        variable: "MAX_CONNECT_ERRORS",
        value: wanted,
        expect: p.expect,
      });
      expect(out.summary).toBe(`orders-db: max_connect_errors ${original} → ${wanted}`);
      expect(out.status).toBe("ok");
      expect(await globalValue("max_connect_errors")).toBe(wanted);

      const back = await run(mysqlSetGlobal, { variable: "max_connect_errors", value: Number(original) });
      expect(back.summary).toBe(`orders-db: max_connect_errors ${wanted} → ${original}`);
    } finally {
      await admin.query("SET GLOBAL max_connect_errors = ?", [Number(original)]);
    }
  });

  it("applies enum values as configured, whatever the case typed", async () => {
    const original = await globalValue("slow_query_log");
    try {
      const wanted = original === "ON" ? "off" : "on";
      const out = await run(mysqlSetGlobal, { variable: "slow_query_log", value: wanted });
      expect(out.summary).toBe(`orders-db: slow_query_log ${original} → ${wanted.toUpperCase()}`);
    } finally {
      await admin.query("SET GLOBAL slow_query_log = ?", [original]);
    }
  });

  it("refuses to apply when the value moved since the preview", async () => {
    const err = await rejection(
      run(mysqlSetGlobal, { variable: "max_connect_errors", value: 500, expect: { current: "-1" } }),
    );
    expect(err.code).toBe("conflict");
  });
});

describe("MySQL target errors", () => {
  it("says clearly when the server refuses the connection", async () => {
    const down: MysqlTarget = { ...target, url: "mysql://root@127.0.0.1:1/test" };
    const err = await rejection(run(mysqlConnections, {}, down));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("MySQL orders-db refused the connection");
  });

  it("never echoes the URL's password", async () => {
    const wrong: MysqlTarget = { ...target, url: "mysql://nobody:s3cret-pw@127.0.0.1:3306/test" };
    const err = await rejection(run(mysqlConnections, {}, wrong));
    expect(err.code).toBe("forbidden");
    expect(err.message).not.toContain("s3cret-pw");
  });
});
