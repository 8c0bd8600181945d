import type { InjectedFault } from "./types.js";

/** What the emulator should answer instead of running a method. */
export type FaultOutcome =
  | { kind: "error"; error: string }
  | { kind: "ratelimited"; retryAfterSec: number }
  | { kind: "http"; status: number };

const WINDOW_MS = 60_000;

/**
 * Scripted failures (`failNext`) and per-method sliding-window rate limits, judged by
 * the emulator's clock.
 */
export class FaultInjector {
  private readonly scripted = new Map<string, InjectedFault[]>();
  private readonly limits = new Map<string, { perMinute: number; acceptedAtMs: number[] }>();

  constructor(private readonly now: () => Date) {}

  failNext(method: string, fault: InjectedFault, times: number): void {
    const queue = this.scripted.get(method) ?? [];
    for (let i = 0; i < times; i += 1) queue.push(fault);
    this.scripted.set(method, queue);
  }

  rateLimit(method: string, perMinute: number): void {
    this.limits.set(method, { perMinute, acceptedAtMs: [] });
  }

  clearRateLimit(method: string): void {
    this.limits.delete(method);
  }

  reset(): void {
    this.scripted.clear();
    this.limits.clear();
  }

  /** Decides the fate of one call; a call that passes counts against the window. */
  check(method: string): FaultOutcome | undefined {
    const fault = this.scripted.get(method)?.shift();
    if (fault !== undefined) {
      if ("error" in fault) return { kind: "error", error: fault.error };
      if ("httpStatus" in fault) return { kind: "http", status: fault.httpStatus };
      return { kind: "ratelimited", retryAfterSec: Math.max(0, Math.ceil(fault.rateLimitSeconds)) };
    }
    const limit = this.limits.get(method);
    if (!limit) return undefined;
    if (limit.perMinute <= 0) return { kind: "ratelimited", retryAfterSec: WINDOW_MS / 1000 };
    const nowMs = this.now().getTime();
    limit.acceptedAtMs = limit.acceptedAtMs.filter((t) => t > nowMs - WINDOW_MS);
    const oldest = limit.acceptedAtMs[0];
    if (limit.acceptedAtMs.length >= limit.perMinute && oldest !== undefined) {
      // Retry-After is whole seconds: round up so a client that waits it out gets through.
      return {
        kind: "ratelimited",
        retryAfterSec: Math.max(1, Math.ceil((oldest + WINDOW_MS - nowMs) / 1000)),
      };
    }
    limit.acceptedAtMs.push(nowMs);
    return undefined;
  }
}
