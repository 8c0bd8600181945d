/** Percentile of a sorted-ascending array (nearest rank). */
export function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latenciesMs, wallMs) {
  const s = [...latenciesMs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: percentile(s, 50),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
    perSecond: (s.length / wallMs) * 1000,
  };
}

export const fmt = (ms) => `${ms.toFixed(2)} ms`;

/** Sends `count` requests at `ratePerSecond` (open loop), returns per-request latency and errors. */
export async function openLoop({ count, ratePerSecond, send, deadlineMs }) {
  const latencies = [];
  let errors = 0;
  const started = performance.now();
  const inFlight = [];
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    if (performance.now() - started > deadlineMs) break;
    const t0 = performance.now();
    inFlight.push(
      send(i).then(
        (ok) => {
          if (ok) latencies.push(performance.now() - t0);
          else errors++;
        },
        () => errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, errors, wallMs: performance.now() - started };
}

/** A database of the benchmark's own, created and dropped by it. */
export async function withBenchDatabase(pg, base, name, fn) {
  const admin = new pg.Client({ connectionString: `${base}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  try {
    return await fn(`${base}/${name}`);
  } finally {
    const a = new pg.Client({ connectionString: `${base}/postgres` });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await a.end();
  }
}

/** Waits until `url` answers 200 (bounded). */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The median of a list of numbers. */
export function median(values) {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}
