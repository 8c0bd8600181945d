import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewAction, rejection, runAction } from "../support/actions.js";
import {
  checkCancellable,
  postgresActivity,
  postgresCancelBackend,
  postgresLocks,
  renderLockChains,
} from "../../src/actions/postgres/index.js";
import type { BackendRow, PostgresCancelExpect, PostgresTarget } from "../../src/actions/postgres/index.js";
import type { ActionDefinition } from "../../src/actions/types.js";

const URL = "postgres://postgres@127.0.0.1:5432/test";
const TABLE = `fbt_actions_pg_${randomBytes(4).toString("hex")}`;
const target: PostgresTarget = { name: "ledger", url: URL };

const run = <A>(action: ActionDefinition<A, PostgresTarget>, args: unknown, t: PostgresTarget = target) =>
  runAction(action, t, args);
const preview = <A>(action: ActionDefinition<A, PostgresTarget>, args: unknown) =>
  previewAction(action, target, args);

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: URL });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}
async function pidOf(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid ?? -1;
}

let admin: pg.Client;
beforeAll(async () => {
  admin = await connect();
  await admin.query(`CREATE TABLE ${TABLE} (id int PRIMARY KEY, n int NOT NULL)`);
  await admin.query(`INSERT INTO ${TABLE} VALUES (1, 0)`);
});
afterAll(async () => {
  await admin.query(`DROP TABLE IF EXISTS ${TABLE}`);
  await admin.end();
});

describe("a lock chain: one session holds a row lock, another waits on it", () => {
  let holder: pg.Client;
  let waiter: pg.Client;
  let holderPid: number;
  let waiterPid: number;
  let waiterOutcome: Promise<{ failed: boolean; code?: string }>;

  beforeAll(async () => {
    holder = await connect();
    waiter = await connect();
    holderPid = await pidOf(holder);
    waiterPid = await pidOf(waiter);
    await holder.query("BEGIN");
    await holder.query(`UPDATE ${TABLE} SET n = n + 1 WHERE id = 1`);
    waiterOutcome = waiter.query(`UPDATE ${TABLE} SET n = n + 10 WHERE id = 1`).then(
      () => ({ failed: false }),
      (err: { code?: string }) => ({ failed: true, code: err.code }),
    );
    for (let attempt = 0; ; attempt++) {
      const { rows } = await admin.query<{ n: number }>("SELECT cardinality(pg_blocking_pids($1)) AS n", [
        waiterPid,
      ]);
      if ((rows[0]?.n ?? 0) > 0) break;
      if (attempt > 200) throw new Error("the waiter never blocked");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  afterAll(async () => {
    await holder.query("ROLLBACK").catch(() => undefined);
    await holder.end();
    await waiter.end();
  });

  it("postgres.locks reports who blocks whom, with the wait and the statements", async () => {
    const out = await run(postgresLocks, {});
    expect(out.status).toBe("warning");
    expect(out.table?.columns).toEqual([
      "pid",
      "blocked_by",
      "user",
      "db",
      "state",
      "wait",
      "waiting_s",
      "xact_s",
      "query",
    ]);
    const rows = new Map(out.table?.rows.map((r) => [r[0], r]));
    const blocked = rows.get(waiterPid);
    expect(blocked?.[1]).toBe(String(holderPid));
    expect(blocked?.[4]).toBe("active");
    expect(blocked?.[5]).toBe("Lock:transactionid");
    expect(blocked?.[6]).toBeGreaterThanOrEqual(0);
    expect(blocked?.[8]).toBe(`UPDATE ${TABLE} SET n = n + 10 WHERE id = 1`);
    const root = rows.get(holderPid);
    expect(root?.[1]).toBe("");
    expect(root?.[4]).toBe("idle in transaction");
    expect(out.summary).toContain(`pid ${holderPid} (idle in transaction, postgres)`);

    const lines = out.text?.split("\n") ?? [];
    const rootLine = lines.findIndex((l) => l.startsWith(`pid ${holderPid} (postgres, idle in transaction`));
    expect(rootLine).toBeGreaterThanOrEqual(0);
    expect(lines[rootLine + 1]).toMatch(
      new RegExp(`^└─ pid ${waiterPid} \\(postgres, waiting [\\d.]+ s\\): UPDATE`),
    );
  });

  it("postgres.activity counts the waiter and lists the open transaction", async () => {
    const out = await run(postgresActivity, { limit: "100" });
    expect(out.status).toBe("warning");
    expect(out.summary).toMatch(/; [1-9]\d* waiting on a lock/);
    const rows = new Map(out.table?.rows.map((r) => [r[0], r]));
    expect(rows.get(waiterPid)?.[6]).toBe("Lock:transactionid");
    expect(rows.get(holderPid)?.[5]).toBe("idle in transaction");
    expect(rows.get(holderPid)?.[8]).toBeGreaterThanOrEqual(0);
    expect(out.text).toContain("idle in transaction:");
  });

  it("refuses to cancel a backend that runs no statement", async () => {
    const err = await rejection(preview(postgresCancelBackend, { pid: holderPid }));
    expect(err.code).toBe("conflict");
    expect(err.message).toContain(
      `pid ${holderPid} on ledger is idle in transaction: it runs no statement to cancel`,
    );
  });

  it("refuses when the backend is no longer what was approved", async () => {
    const p = await preview(postgresCancelBackend, { pid: waiterPid });
    const approved = p.expect as PostgresCancelExpect;
    const err = await rejection(
      run(postgresCancelBackend, {
        pid: waiterPid,
        expect: { ...approved, queryStart: "2000-01-01T00:00:00.000000Z" },
      }),
    );
    expect(err.code).toBe("conflict");
    expect(err.message).toContain("no longer what was approved");
  });

  it("previews the cancel with the blocked row, then cancels its statement", async () => {
    const p = await preview(postgresCancelBackend, { pid: String(waiterPid) });
    expect(p.changes).toHaveLength(1);
    expect(p.changes[0]).toContain(
      `cancel the statement of pid ${waiterPid} on ledger (postgres, db test, running`,
    );
    expect(p.changes[0]).toContain(
      `waiting on Lock:transactionid): UPDATE ${TABLE} SET n = n + 10 WHERE id = 1`,
    );
    expect(p.table?.rows[0]?.[0]).toBe(waiterPid);

    const out = await run(postgresCancelBackend, { pid: waiterPid, expect: p.expect });
    expect(out.summary).toContain(`ledger: cancelled the statement of pid ${waiterPid}`);
    expect(await waiterOutcome).toEqual({ failed: true, code: "57014" });
    const still = await run(postgresLocks, {});
    expect(still.table?.rows.some((r) => r[0] === waiterPid) ?? false).toBe(false);
  });
});

describe("postgres.cancel_backend refusals", () => {
  it("refuses a pid that is not a backend", async () => {
    const err = await rejection(run(postgresCancelBackend, { pid: 2_147_483_000 }));
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("pid 2147483000 is not a backend of ledger");
  });

  it("refuses server processes", async () => {
    const { rows } = await admin.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'",
    );
    const pid = rows[0]?.pid;
    expect(pid).toBeDefined();
    const err = await rejection(preview(postgresCancelBackend, { pid }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("is a server process (checkpointer)");
  });

  it("refuses Firebreak's own backend", () => {
    const own = { pid: 42, backend_type: "client backend", state: "active" } as BackendRow;
    expect(() => checkCancellable("ledger", 42, own, 42)).toThrowError(/Firebreak's own connection/);
    expect(checkCancellable("ledger", 42, own, 7)).toBe(own);
  });

  it("takes only a whole positive pid", () => {
    for (const pid of ["1; SELECT pg_terminate_backend(1)", "$(id)", "0", -5, 1.5, "' OR 1=1 --", "４２"]) {
      expect(postgresCancelBackend.argsSchema.safeParse({ pid }).success, String(pid)).toBe(false);
    }
  });
});

describe("lock chain rendering", () => {
  it("draws each root blocker with its waiters beneath, and survives a cycle", () => {
    const lines = renderLockChains([
      { pid: 3, blockedBy: [2], label: "pid 3" },
      { pid: 1, blockedBy: [], label: "pid 1" },
      { pid: 2, blockedBy: [1], label: "pid 2" },
      { pid: 10, blockedBy: [11], label: "pid 10" },
      { pid: 11, blockedBy: [10], label: "pid 11" },
    ]);
    expect(lines).toEqual([
      "pid 1",
      "└─ pid 2",
      "   └─ pid 3",
      "pid 10",
      "└─ pid 11",
      "   └─ pid 10 (see above)",
    ]);
  });
});

describe("Postgres target errors", () => {
  it("says clearly when the server refuses the connection", async () => {
    const err = await rejection(
      run(postgresLocks, {}, { name: "ledger", url: "postgres://postgres@127.0.0.1:1/test" }),
    );
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("Postgres ledger refused the connection");
  });

  it("says which database is missing", async () => {
    const err = await rejection(
      run(postgresLocks, {}, { name: "ledger", url: "postgres://postgres@127.0.0.1:5432/fbt_no_such_db" }),
    );
    expect(err.code).toBe("config_invalid");
    expect(err.message).toContain("Fix the database name");
  });
});
