/** One invariant of the chaos run: it holds when `ok` (a count of 0, or "ok"). */
export interface ChaosInvariant {
  name: string;
  value: number | string;
  ok: boolean;
  /** What was sent and what was recorded, and where it went wrong. */
  detail: string;
}

/** What `runChaos` resolves with. */
export interface ChaosReport {
  invariants: ChaosInvariant[];
  figures: Record<string, unknown>;
  /** The printed report, line by line. */
  lines: string[];
  /** The run's folder (configuration and logs; removed unless `keepLogs`). */
  dir: string;
}

/** Runs the chaos harness (bench/chaos/harness.mjs) with the `full` or `ci` profile. */
export function runChaos(options?: {
  profile?: "full" | "ci";
  log?: (line: string) => void;
  keepLogs?: boolean;
}): Promise<ChaosReport>;
