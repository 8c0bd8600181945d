import { hash } from "node:crypto";
import { canonicalJson } from "./canonical-json.js";

/** The previous hash of the first event of every chain. */
export const GENESIS_HASH = "0".repeat(64);

/** What is hashed of a timeline event: everything but the hash itself. */
export interface HashedEventFields {
  incidentId: number;
  seq: number;
  at: Date;
  actor: string;
  kind: string;
  data: unknown;
  prevHash: string;
}

/** SHA-256 over the previous hash and the canonical serialisation of the event. */
export function hashEvent(e: HashedEventFields): string {
  return hash("sha256", `${e.prevHash}\n${eventBody(e)}`);
}

/**
 * canonicalJson({ incident, seq, at, actor, kind, data }), written out in its sorted key
 * order so that verifying a long history does not sort the same six keys per event.
 */
function eventBody(e: HashedEventFields): string {
  const at = e.at.toISOString();
  if (e.actor === undefined || e.kind === undefined || e.data === undefined)
    return canonicalJson({
      incident: e.incidentId,
      seq: e.seq,
      at,
      actor: e.actor,
      kind: e.kind,
      data: e.data,
    });
  return `${eventBodyHead({ ...e, at })}${canonicalJson(e.seq)}}`;
}

/**
 * The canonical body of a new event up to its "seq" value (the last key in sorted order):
 * Postgres's `timeline_append` completes it with the sequence number it assigns under the
 * chain's lock, then hashes it as {@link hashEvent} does.
 */
export function eventBodyHead(e: {
  incidentId: number;
  at: string;
  actor: string;
  kind: string;
  data: unknown;
}): string {
  return `{"actor":${canonicalJson(e.actor)},"at":${canonicalJson(e.at)},"data":${canonicalJson(e.data)},"incident":${canonicalJson(e.incidentId)},"kind":${canonicalJson(e.kind)},"seq":`;
}

export interface StoredEvent extends HashedEventFields {
  hash: string;
}

export type ChainBreak =
  | { incidentId: number; seq: number; problem: "prev_hash_mismatch"; expected: string; found: string }
  | { incidentId: number; seq: number; problem: "hash_mismatch"; expected: string; found: string }
  | { incidentId: number; seq: number; problem: "sequence_gap"; expected: number; found: number };

/**
 * Checks one event against the link before it (the previous event's hash and the seq it
 * must carry) and returns the break, or null when the link holds. Auditors that stream a
 * chain call this per event instead of holding the chain whole.
 */
export function checkLink(e: StoredEvent, prevHash: string, expectedSeq: number): ChainBreak | null {
  if (e.seq !== expectedSeq)
    return {
      incidentId: e.incidentId,
      seq: e.seq,
      problem: "sequence_gap",
      expected: expectedSeq,
      found: e.seq,
    };
  if (e.prevHash !== prevHash)
    return {
      incidentId: e.incidentId,
      seq: e.seq,
      problem: "prev_hash_mismatch",
      expected: prevHash,
      found: e.prevHash,
    };
  const recomputed = hashEvent(e);
  if (recomputed !== e.hash)
    return {
      incidentId: e.incidentId,
      seq: e.seq,
      problem: "hash_mismatch",
      expected: recomputed,
      found: e.hash,
    };
  return null;
}

/**
 * Recomputes one incident's chain (events in seq order) and returns the first broken
 * link, or null when every hash holds.
 */
export function verifyChain(events: readonly StoredEvent[]): ChainBreak | null {
  let prev = GENESIS_HASH;
  let expectedSeq = 1;
  for (const e of events) {
    const problem = checkLink(e, prev, expectedSeq);
    if (problem) return problem;
    prev = e.hash;
    expectedSeq++;
  }
  return null;
}

export function describeBreak(b: ChainBreak): string {
  const where = `incident ${b.incidentId}, event ${b.seq}`;
  switch (b.problem) {
    case "sequence_gap":
      return `${where}: sequence gap (expected ${b.expected}, found ${b.found}) — an event is missing`;
    case "prev_hash_mismatch":
      return `${where}: prev_hash does not match the previous event's hash (expected ${b.expected}, found ${b.found}) — an earlier event was altered or removed`;
    case "hash_mismatch":
      return `${where}: content does not match its hash (recomputed ${b.expected}, stored ${b.found}) — this event was altered`;
  }
}
