// Runs every benchmark in turn (each prints its figure, the baseline measured in the same
// run, and the ratio). Build first: `npm run bench` does (prebench).
import { spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const benches = [
  "ack-latency",
  "alert-ingest",
  "integration-ingest",
  "escalation-timers",
  "diagnostic-overhead",
  "footprint",
  "audit-verify",
  "insights",
  "chaos",
  "page-fanout",
];
let failed = 0;
for (const name of benches) {
  console.log(`\n## ${name}`);
  const r = spawnSync(process.execPath, [path.join(root, "bench", name, "run.mjs")], {
    cwd: root,
    stdio: "inherit",
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
