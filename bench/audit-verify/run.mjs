// `firebreak audit verify` over a long history: seeds a fresh database with N valid timeline
// events (one long-running incident holding a fifth of them, the rest spread over many
// incidents), then runs the real CLI (`node dist/main.js audit verify`) and, in the same run,
// the floor: a bare script reading the same rows in one query and hashing them
// (bare-verify.mjs). Prints events/s and peak RSS of each, and the ratio. Also prints the
// CLI on the empty timeline (what the process costs before it reads a row) and Firebreak's
// audit function alone in a bare process (audit-only.mjs), to tell the two apart.
//   npm run build && node_modules/.bin/node bench/audit-verify/run.mjs [--events 1000000] [--incidents 2000] [--rounds 2]
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import pg from "pg";
import { root } from "../lib/processes.mjs";
import { withBenchDatabase } from "../lib/stats.mjs";
import { seedTimeline } from "./seed-timeline.mjs";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000" },
    incidents: { type: "string", default: "2000" },
    rounds: { type: "string", default: "2" },
  },
});
const events = Math.max(1_000, Math.min(Number(values.events), 5_000_000));
const incidents = Math.max(3, Math.min(Number(values.incidents), 100_000));
const rounds = Math.max(1, Math.min(Number(values.rounds), 5));
const PG = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432";
const RUN_LIMIT_MS = 300_000;

/** Chain lengths: the workspace chain (0), one long incident (a fifth), the rest evenly. */
function chainLayout() {
  const workspace = Math.floor(events / 100);
  const long = Math.floor(events / 5);
  const rest = events - workspace - long;
  const others = incidents - 2;
  const chains = [
    [0, workspace],
    [1, long],
  ];
  for (let i = 0; i < others; i++)
    chains.push([i + 2, Math.floor(rest / others) + (i < rest % others ? 1 : 0)]);
  return chains.filter(([, n]) => n > 0);
}

/** Runs `node <args>` to exit; wall time and peak RSS (VmHWM, sampled while it runs). */
function measure(args, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let peakKb = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // exited between samples
      }
    };
    const sampler = setInterval(sample, 10);
    const limit = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      const wallMs = performance.now() - t0;
      clearInterval(sampler);
      clearTimeout(limit);
      resolve({ code, wallMs, peakKb, stdout, stderr });
    });
  });
}

const mb = (kb) => `${(kb / 1024).toFixed(0)} MB`;
const rate = (n, ms) => (n / ms) * 1000;
const fmtRate = (r) => `${Math.round(r).toLocaleString("en-US")} events/s`;

await withBenchDatabase(pg, PG, `fb_bench_audit_${process.pid}`, async (databaseUrl) => {
  const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: "warn" };
  const migrated = await measure(["dist/main.js", "migrate"], env);
  if (migrated.code !== 0) throw new Error(`migrate failed: ${migrated.stderr}`);

  const empty = await measure(["dist/main.js", "audit", "verify"], env);
  if (empty.code !== 0) throw new Error(`audit verify (empty) failed: ${empty.stderr}`);

  const chains = chainLayout();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  const seeded = performance.now();
  try {
    await seedTimeline(pool, chains);
  } finally {
    await pool.end();
  }
  console.log(
    `${events.toLocaleString("en-US")} events in ${chains.length} chains (longest ${Math.max(...chains.map(([, n]) => n)).toLocaleString("en-US")}), seeded in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  const expected = `${chains.length} chains, ${events} events: all hashes verified`;
  let bestBare = 0;
  let bestCli = 0;
  let bestAlone = 0;
  let cliPeakKb = 0;
  let alonePeakKb = 0;
  for (let round = 1; round <= rounds; round++) {
    const bare = await measure(["bench/audit-verify/bare-verify.mjs"], env);
    const out = bare.code === 0 ? JSON.parse(bare.stdout) : null;
    if (!out || out.rows !== events || out.mismatches !== 0)
      throw new Error(`floor failed: ${bare.stdout}${bare.stderr}`);
    const cli = await measure(["dist/main.js", "audit", "verify"], env);
    if (cli.code !== 0 || cli.stdout.trim() !== expected)
      throw new Error(`audit verify said "${cli.stdout.trim()}${cli.stderr.trim()}", expected "${expected}"`);
    const alone = await measure(["bench/audit-verify/audit-only.mjs"], env);
    const report = alone.code === 0 ? JSON.parse(alone.stdout) : null;
    if (!report || report.events !== events || report.broken !== 0)
      throw new Error(`audit alone failed: ${alone.stdout}${alone.stderr}`);
    const bareRate = rate(events, bare.wallMs);
    const cliRate = rate(events, cli.wallMs);
    const aloneRate = rate(events, alone.wallMs);
    bestBare = Math.max(bestBare, bareRate);
    bestCli = Math.max(bestCli, cliRate);
    bestAlone = Math.max(bestAlone, aloneRate);
    cliPeakKb = Math.max(cliPeakKb, cli.peakKb);
    alonePeakKb = Math.max(alonePeakKb, alone.peakKb, report.maxRssKb);
    console.log(
      `round ${round}: bare ${fmtRate(bareRate)} (${(bare.wallMs / 1000).toFixed(1)} s, peak RSS ${mb(Math.max(bare.peakKb, out.maxRssKb))}) | firebreak audit verify ${fmtRate(cliRate)} (${(cli.wallMs / 1000).toFixed(1)} s, peak RSS ${mb(cli.peakKb)}) | audit alone ${fmtRate(aloneRate)} (${(alone.wallMs / 1000).toFixed(1)} s, peak RSS ${mb(Math.max(alone.peakKb, report.maxRssKb))})`,
    );
  }
  console.log(
    `empty timeline: firebreak audit verify ${(empty.wallMs / 1000).toFixed(2)} s, peak RSS ${mb(empty.peakKb)} (the process before it reads a row)`,
  );
  console.log(
    `audit alone (no CLI start): ${(bestAlone / bestBare).toFixed(2)}x the floor's events/s, peak RSS ${mb(alonePeakKb)}`,
  );
  console.log(
    `ratio (Firebreak / bare, best of ${rounds}): ${(bestCli / bestBare).toFixed(2)}x events/s (${fmtRate(bestCli)} / ${fmtRate(bestBare)}); Firebreak peak RSS ${mb(cliPeakKb)} at ${events.toLocaleString("en-US")} events`,
  );
});
