// Firebreak's streaming audit (store/timeline/audit-timeline.ts, from dist/) in a bare
// process: what `audit verify` costs without the CLI's process start. Prints its report and
// peak RSS.
//   DATABASE_URL=… node bench/audit-verify/audit-only.mjs
import path from "node:path";
import pg from "pg";

const root = path.resolve(import.meta.dirname, "../..");
const { auditTimeline } = await import(path.join(root, "dist/store/timeline/audit-timeline.js"));

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const report = await auditTimeline(pool);
await pool.end();
console.log(
  JSON.stringify({
    chains: report.chains,
    events: report.events,
    broken: report.broken.length,
    maxRssKb: process.resourceUsage().maxRSS,
  }),
);
