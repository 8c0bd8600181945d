import { describe, expect, it } from "vitest";
import { ChainAudit } from "../../src/core/timeline/chain-audit.js";
import { GENESIS_HASH, hashEvent, verifyChain } from "../../src/core/timeline/event-hash.js";
import type { StoredEvent } from "../../src/core/timeline/event-hash.js";

function chain(incidentId: number, n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      incidentId,
      seq,
      at: new Date(Date.UTC(2026, 11, 1) + seq * 1000),
      actor: "U0ALICE",
      kind: "incident.note",
      data: { text: `note ${seq}` },
      prevHash,
    };
    out.push({ ...e, hash: hashEvent(e) });
    prevHash = out[out.length - 1]!.hash;
  }
  return out;
}

const audit = (events: StoredEvent[]) => {
  const a = new ChainAudit();
  for (const e of events) a.add(e);
  return a.report;
};

describe("auditing a stream of chains", () => {
  it("verifies every chain of an intact history, counting chains and events", () => {
    expect(audit([...chain(0, 3), ...chain(7, 5), ...chain(8, 1)])).toEqual({
      chains: 3,
      events: 9,
      broken: [],
    });
  });

  it("reports the first break of each chain, as verifying each chain alone does", () => {
    const a = chain(3, 6);
    a[2] = { ...a[2]!, data: { text: "rewritten" } };
    const b = chain(4, 4);
    b.splice(1, 1);
    const c = chain(5, 3);
    c[0] = { ...c[0]!, actor: "U0MALLORY" };
    c[2] = { ...c[2]!, kind: "incident.resolved" };
    const report = audit([...a, ...b, ...c]);
    expect(report.chains).toBe(3);
    expect(report.events).toBe(6 + 3 + 3);
    expect(report.broken).toEqual([verifyChain(a), verifyChain(b), verifyChain(c)]);
    expect(report.broken.map((x) => [x.incidentId, x.seq, x.problem])).toEqual([
      [3, 3, "hash_mismatch"],
      [4, 3, "sequence_gap"],
      [5, 1, "hash_mismatch"],
    ]);
  });

  it("starts each chain from the genesis hash: a chain spliced onto another is caught", () => {
    const a = chain(1, 2);
    const b = chain(2, 2).map((e) => ({ ...e, incidentId: 1, seq: e.seq + 2 }));
    expect(audit([...a, ...b]).broken).toMatchObject([
      { incidentId: 1, seq: 3, problem: "prev_hash_mismatch" },
    ]);
  });
});
