import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withTransaction } from "../../src/store/pool.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
import { appendTimelineEvent, listTimeline } from "../../src/store/timeline/timeline-events.js";
import { runCli } from "../support/cli.js";
import { createTestDatabase } from "../support/db.js";
import type { TestDatabase } from "../support/db.js";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

const append = (incidentId: number, text: string) =>
  withTransaction(db.pool, (tx) =>
    appendTimelineEvent(tx, {
      incidentId,
      actor: "U0ALICE",
      kind: "incident.note",
      at: new Date(),
      data: { text },
    }),
  );

describe("the timeline in Postgres", () => {
  it("chains each event to the previous one with SHA-256", async () => {
    const a = await append(101, "first");
    const b = await append(101, "second");
    expect(a.seq).toBe(1);
    expect(b.seq).toBe(2);
    expect(b.prevHash).toBe(a.hash);
    expect((await auditTimeline(db.pool, { incidentId: 101 })).broken).toEqual([]);
  });

  it("keeps one unbroken chain when many writers append at once", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, i) => append(102, `parallel ${i}`)));
    const events = await listTimeline(db.pool, 102);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await auditTimeline(db.pool, { incidentId: 102 })).broken).toEqual([]);
  });

  it("refuses UPDATE, DELETE and TRUNCATE, even from the application's own connection", async () => {
    await append(103, "immutable");
    await expect(
      db.pool.query("UPDATE timeline_events SET actor = 'U0MALLORY' WHERE incident_id = 103"),
    ).rejects.toThrow(/append-only/);
    await expect(db.pool.query("DELETE FROM timeline_events WHERE incident_id = 103")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.pool.query("TRUNCATE timeline_events")).rejects.toThrow(/append-only/);
    expect((await listTimeline(db.pool, 103))[0]?.actor).toBe("U0ALICE");
  });

  it("survives jsonb's key reordering and awkward text when re-verified", async () => {
    await withTransaction(db.pool, (tx) =>
      appendTimelineEvent(tx, {
        incidentId: 104,
        actor: "system",
        kind: "alert.received",
        at: new Date(),
        data: {
          zeta: 1,
          alpha: { "b-key": "ünïcode ✓ \u0000nul", a: [3, 2.5, null, true] },
          longer_key_first: "x",
          k: "",
        },
      }),
    );
    expect((await auditTimeline(db.pool, { incidentId: 104 })).broken).toEqual([]);
  });

  it("links in Postgres exactly what verify hashes in Node, for text JSON has to escape", async () => {
    // timeline_append hashes the body it is sent; astral characters, escapes and a lone
    // surrogate (JSON.stringify writes it as \udxxx) must come out the same both ways.
    const awkward = 'emoji 🔥🧯, "quotes", back\\slash, tab\t, new\nline, <!channel>, \u2028, lone \ud800';
    const first = await withTransaction(db.pool, (tx) =>
      appendTimelineEvent(tx, {
        incidentId: 105,
        actor: `U0"ODD\\${awkward.slice(0, 12)}`,
        kind: "incident.note",
        at: new Date("2026-03-29T01:59:59.999Z"),
        data: { text: awkward, nested: [{ "🔑": awkward }], n: -0.5e-7 },
      }),
    );
    const second = await append(105, awkward);
    expect(second.prevHash).toBe(first.hash);
    const stored = await listTimeline(db.pool, 105);
    expect(stored.map((e) => e.hash)).toEqual([first.hash, second.hash]);
    expect((await auditTimeline(db.pool, { incidentId: 105 })).broken).toEqual([]);
  });
});

describe("firebreak audit verify", () => {
  it("passes on an intact database and fails naming the first altered event after tampering", async () => {
    await append(105, "one");
    await append(105, "two");
    await append(105, "three");
    const env = { DATABASE_URL: db.url };
    const ok = await runCli(["audit", "verify"], env);
    expect(ok.stdout).toMatch(/all hashes verified/);
    expect(ok.code).toBe(0);

    // A superuser can switch the trigger off: the chain still gives the edit away.
    await db.pool.query("ALTER TABLE timeline_events DISABLE TRIGGER timeline_events_append_only");
    await db.pool.query(
      `UPDATE timeline_events SET data = '{"text":"two (edited)"}' WHERE incident_id = 105 AND seq = 2`,
    );
    await db.pool.query("ALTER TABLE timeline_events ENABLE TRIGGER timeline_events_append_only");

    const bad = await runCli(["audit", "verify"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/BROKEN incident 105, event 2: content does not match its hash/);
    const one = await runCli(["audit", "verify", "--incident", "101"], env);
    expect(one.code).toBe(0);
  });
});
