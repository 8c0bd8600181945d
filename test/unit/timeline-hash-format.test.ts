import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/core/timeline/canonical-json.js";
import { hashEvent } from "../../src/core/timeline/event-hash.js";
import type { HashedEventFields } from "../../src/core/timeline/event-hash.js";

/** The serialisation every stored chain was hashed with, written the plain way. */
function referenceJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("non-finite");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(referenceJson).join(",")}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${referenceJson(obj[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(typeof value);
  }
}

const referenceHash = (e: HashedEventFields) =>
  createHash("sha256")
    .update(e.prevHash)
    .update("\n")
    .update(
      referenceJson({
        incident: e.incidentId,
        seq: e.seq,
        at: e.at.toISOString(),
        actor: e.actor,
        kind: e.kind,
        data: e.data,
      }),
    )
    .digest("hex");

const AWKWARD: unknown[] = [
  {},
  [],
  null,
  "",
  0,
  -0,
  1e21,
  0.1 + 0.2,
  -12.5e-7,
  { zeta: 1, alpha: { "b-key": "ünïcode ✓ 🔥", a: [3, 2.5, null, true, false] }, k: "" },
  { "": 1, " ": 2, a: undefined, B: 3, b: 4, "\u00e9": 5, e: 6, "\ud83d\ude00": 7, "\uffff": 8 },
  { quote: 'say "hi"\n\t\\', ctrl: "\u0001\u001f", lone: "\ud800 half a pair" },
  [[[]], [{}], [{ y: [1, { x: null }] }]],
  { nested: { deeper: { deepest: { list: ["a", { z: 1, a: 2 }] } } } },
  "just a string",
  42,
];

describe("the timeline's hash format", () => {
  it("serialises every kind of JSON value exactly as the chains already stored were", () => {
    for (const value of AWKWARD) expect(canonicalJson(value)).toBe(referenceJson(value));
  });

  it("hashes events to the digests stored chains carry, whatever their data", () => {
    AWKWARD.forEach((data, i) => {
      const e: HashedEventFields = {
        incidentId: i === 0 ? 0 : 1_000 + i,
        seq: i + 1,
        at: new Date(Date.UTC(2026, 11, 1, 3, 0, i, 7 * i)),
        actor: i % 2 ? "U0ALICE" : "system \u00e9",
        kind: "incident.note",
        data,
        prevHash: createHash("sha256").update(String(i)).digest("hex"),
      };
      expect(hashEvent(e)).toBe(referenceHash(e));
    });
  });

  it("still refuses values JSON cannot hold", () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, undefined, () => 1, 1n, [undefined]])
      expect(() => canonicalJson(bad)).toThrow(TypeError);
  });
});
