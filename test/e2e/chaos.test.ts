import { beforeAll, describe, expect, it } from "vitest";
import { runChaos } from "../../bench/chaos/harness.mjs";
import type { ChaosReport } from "../../bench/chaos/harness.mjs";

/**
 * The chaos harness at CI size (bench/chaos, profile `ci`): two web and two worker replicas
 * behind HAProxy, a real Alertmanager, the Slack emulator enforcing Slack's rate limits; a
 * minute of load while replicas are SIGKILLed and Postgres, Redis and Slack each fail once,
 * then the escalations run out. Every invariant is derived from what was sent against what
 * Postgres, Slack, Redis and MariaDB recorded. Runs from dist/ (`npm test` builds first).
 */
let report: ChaosReport;

beforeAll(async () => {
  report = await runChaos({ profile: "ci" });
  console.log(report.lines.join("\n"));
}, 12 * 60_000);

const INVARIANTS = [
  "alerts lost",
  "duplicate incidents or channels",
  "pages lost",
  "pages duplicated",
  "runs started twice",
  "commands acked but not recorded",
  "outbox rows sent twice",
  "audit verify",
];

describe("three replicas killed at random, Postgres, Redis and Slack failing once", () => {
  it("reports every invariant", () => {
    expect(report.invariants.map((i) => i.name)).toEqual(INVARIANTS);
  });

  it.each(INVARIANTS)("%s: holds", (name) => {
    const invariant = report.invariants.find((i) => i.name === name);
    expect(invariant?.ok, `${name}: ${String(invariant?.value)} — ${invariant?.detail ?? "missing"}`).toBe(
      true,
    );
  });
});
