// Three replicas killed at random (issue 10): Firebreak's web and worker replicas behind
// HAProxy, a real Alertmanager, the Slack emulator enforcing Slack's rate limits; about five
// minutes of load while replicas are SIGKILLed every 10–20 s and Postgres, Redis and Slack
// each fail once. Prints the invariants (each must be 0 / ok) and the figures; exits 1 if an
// invariant fails. Loopback only; its own Postgres cluster and Redis servers; stops by itself.
//   npm run build && node bench/chaos/run.mjs [--profile full|ci] [--keep-logs]
import { parseArgs } from "node:util";
import { runChaos } from "./harness.mjs";

const { values } = parseArgs({
  options: { profile: { type: "string", default: "full" }, "keep-logs": { type: "boolean", default: false } },
});
// A hard bound on the whole run, whatever happens inside it.
const guard = setTimeout(() => {
  console.error("chaos: still running after 25 minutes; giving up");
  process.exit(2);
}, 25 * 60_000);
guard.unref();
const started = Date.now();
const result = await runChaos({
  profile: values.profile,
  keepLogs: values["keep-logs"],
  log: (line) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}`),
});
for (const line of result.lines) console.log(line);
if (values["keep-logs"]) console.log(`logs kept in ${result.dir}`);
process.exit(result.invariants.every((i) => i.ok) ? 0 : 1);
