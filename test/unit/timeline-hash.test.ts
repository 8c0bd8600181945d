import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/timeline/canonical-json.js";
import { GENESIS_HASH, hashEvent, verifyChain } from "../../src/core/timeline/event-hash.js";
import type { StoredEvent } from "../../src/core/timeline/event-hash.js";

function chain(n: number): StoredEvent[] {
  const out: StoredEvent[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const e = {
      incidentId: 5,
      seq,
      at: new Date(1_700_000_000_000 + seq * 1000),
      actor: "U0ALICE",
      kind: "incident.note",
      data: { text: `n${seq}`, n: seq },
      prevHash: prev,
    };
    const hash = hashEvent(e);
    out.push({ ...e, hash });
    prev = hash;
  }
  return out;
}

describe("timeline hash chain", () => {
  it("serialises objects canonically whatever the key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, "x"], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, "x"] }, b: 1 }),
    );
  });

  it("verifies an intact chain", () => {
    expect(verifyChain(chain(5))).toBeNull();
  });

  it("names the event whose content was altered", () => {
    const events = chain(5);
    events[2] = { ...events[2]!, data: { text: "rewritten", n: 3 } };
    expect(verifyChain(events)).toMatchObject({ seq: 3, problem: "hash_mismatch" });
  });

  it("detects an event removed from the middle", () => {
    const events = chain(5);
    events.splice(1, 1);
    expect(verifyChain(events)).toMatchObject({ seq: 3, problem: "sequence_gap" });
  });

  it("detects a rehashed event by the broken link after it", () => {
    const events = chain(4);
    const forged = { ...events[1]!, actor: "U0MALLORY" };
    events[1] = { ...forged, hash: hashEvent(forged) };
    expect(verifyChain(events)).toMatchObject({ seq: 3, problem: "prev_hash_mismatch" });
  });
});
