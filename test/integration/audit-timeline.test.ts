import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS_HASH, hashEvent } from "../../src/core/timeline/event-hash.js";
import { auditTimeline } from "../../src/store/timeline/audit-timeline.js";
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

/** Writes valid chains straight into timeline_events (hashes as appendTimelineEvent makes them). */
async function seed(chains: [incidentId: number, length: number][]) {
  for (const [incidentId, length] of chains) {
    const rows: unknown[][] = [[], [], [], [], [], [], [], []];
    let prevHash = GENESIS_HASH;
    for (let seq = 1; seq <= length; seq++) {
      const e = {
        incidentId,
        seq,
        at: new Date(Date.UTC(2026, 11, 1, 3) + seq * 1_001),
        actor: seq % 2 ? "U0ALICE" : "system",
        kind: "incident.note",
        data: { text: `note ${seq} ✓`, nested: { z: seq, a: [seq, null] } },
        prevHash,
      };
      const hash = hashEvent(e);
      [incidentId, seq, e.at.toISOString(), e.actor, e.kind, JSON.stringify(e.data), prevHash, hash].forEach(
        (v, i) => rows[i]!.push(v),
      );
      prevHash = hash;
    }
    await db.pool.query(
      `INSERT INTO timeline_events (incident_id, seq, at, actor, kind, data, prev_hash, hash)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::timestamptz[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])`,
      rows,
    );
  }
}

async function tamper(sql: string) {
  await db.pool.query("ALTER TABLE timeline_events DISABLE TRIGGER timeline_events_append_only");
  try {
    await db.pool.query(sql);
  } finally {
    await db.pool.query("ALTER TABLE timeline_events ENABLE TRIGGER timeline_events_append_only");
  }
}

describe("firebreak audit verify over a long history", () => {
  // Chains longer than a cursor batch and chains that end mid-batch, so links are checked
  // across every kind of batch boundary.
  const CHAINS: [number, number][] = [
    [0, 7],
    [11, 1_234],
    [12, 1],
    [13, 401],
    [14, 199],
    [15, 200],
    [9_000_000_001, 3],
  ];
  const EVENTS = CHAINS.reduce((n, [, l]) => n + l, 0);

  it("verifies every event of every chain and says so", async () => {
    await seed(CHAINS);
    expect(await auditTimeline(db.pool)).toEqual({ chains: CHAINS.length, events: EVENTS, broken: [] });
    const r = await runCli(["audit", "verify"], { DATABASE_URL: db.url });
    expect(r.stdout).toBe(`${CHAINS.length} chains, ${EVENTS} events: all hashes verified\n`);
    expect(r.code).toBe(0);
  });

  it("names the first altered event of each chain, deep in a long one too, and exits 1", async () => {
    await tamper(
      `UPDATE timeline_events SET data = '{"text":"edited"}' WHERE incident_id = 11 AND seq = 1001`,
    );
    await tamper(`UPDATE timeline_events SET actor = 'U0MALLORY' WHERE incident_id = 11 AND seq = 1200`);
    await tamper(
      `UPDATE timeline_events SET prev_hash = repeat('a', 64) WHERE incident_id = 14 AND seq = 199`,
    );
    const report = await auditTimeline(db.pool);
    expect(report.chains).toBe(CHAINS.length);
    expect(report.events).toBe(EVENTS);
    expect(report.broken.map((b) => [b.incidentId, b.seq, b.problem])).toEqual([
      [11, 1001, "hash_mismatch"],
      [14, 199, "prev_hash_mismatch"],
    ]);
    const r = await runCli(["audit", "verify"], { DATABASE_URL: db.url });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^BROKEN incident 11, event 1001: content does not match its hash/m);
    expect(r.stderr).toMatch(/^BROKEN incident 14, event 199: prev_hash does not match/m);
    expect(r.stderr).toMatch(`${CHAINS.length} chains, ${EVENTS} events: 2 broken`);
  });

  it("audits one incident alone, and an incident without events as one empty chain", async () => {
    const one = await runCli(["audit", "verify", "--incident", "13"], { DATABASE_URL: db.url });
    expect(one.stdout).toBe("1 chains, 401 events: all hashes verified\n");
    const broken = await runCli(["audit", "verify", "--incident", "11"], { DATABASE_URL: db.url });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch("1 chains, 1234 events: 1 broken");
    const none = await runCli(["audit", "verify", "--incident", "77"], { DATABASE_URL: db.url });
    expect(none.stdout).toBe("1 chains, 0 events: all hashes verified\n");
    expect(none.code).toBe(0);
  });
});
