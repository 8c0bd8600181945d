import { createHash } from "node:crypto";

/** Issues Slack-looking ids (`C0000000001`) and strictly increasing message timestamps. */
export class IdSource {
  private seq = 0;
  private lastTsMicros = 0;

  constructor(private readonly now: () => Date) {}

  /** A new id with Slack's one-letter type prefix (C channel, D DM, V view, F file…). */
  id(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(36).toUpperCase().padStart(10, "0")}`;
  }

  /**
   * A message `ts` ("1700000000.000100"): the clock in microseconds, bumped when the
   * clock has not moved, because Slack's ts identifies a message within a channel.
   */
  ts(): string {
    const clock = this.now().getTime() * 1000;
    this.lastTsMicros = clock > this.lastTsMicros ? clock : this.lastTsMicros + 100;
    return formatTs(this.lastTsMicros);
  }

  /** Seconds since the epoch by the emulator's clock, as Slack's `created` fields. */
  unix(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}

/** Formats microseconds since the epoch as a Slack ts. */
export function formatTs(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros % 1_000_000;
  return `${seconds}.${String(fraction).padStart(6, "0")}`;
}

/** A short id in the style of the ones Slack invents for blocks and elements that lack one. */
export function shortId(seed: string): string {
  return createHash("sha1").update(seed).digest("base64url").slice(0, 5);
}

/** A trigger id shaped like Slack's (`13345224609.738474920.8088930838d88f008e0`). */
export function triggerIdFrom(seq: number, nowMs: number): string {
  const hex = createHash("sha1").update(`${seq}:${nowMs}`).digest("hex").slice(0, 21);
  return `${Math.floor(nowMs / 1000)}${seq}.738474920.${hex}`;
}
