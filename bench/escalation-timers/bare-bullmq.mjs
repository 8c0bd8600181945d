// The floor: a bare BullMQ delayed-job loop on the same Redis. `count` jobs due over `spreadMs`
// from `startAt`; workers record how late those due in the first `windowMs` fire (actual - due).
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";

export async function runBareBullmq({
  redisUrl,
  prefix,
  count,
  startAt,
  spreadMs,
  windowMs,
  replicas,
  concurrency,
  deadlineMs,
}) {
  const expected = Math.min(count, Math.floor((windowMs * count) / spreadMs) + 1);
  const conn = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue("bare-timers", { connection: conn, prefix });
  const late = [];
  const seen = new Map();
  let done;
  const finished = new Promise((r) => (done = r));
  const workers = [];
  for (let i = 0; i < replicas; i++) {
    const wc = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const w = new Worker(
      "bare-timers",
      async (job) => {
        const now = Date.now();
        if (job.data.i >= expected) return;
        late.push(now - job.data.dueAt);
        seen.set(job.data.i, (seen.get(job.data.i) ?? 0) + 1);
        if (seen.size === expected) done();
      },
      { connection: wc, prefix, concurrency },
    );
    workers.push({ w, wc });
  }
  const now = Date.now();
  const jobs = [];
  for (let i = 0; i < count; i++) {
    const dueAt = startAt + Math.floor((i * spreadMs) / count);
    jobs.push({
      name: "t",
      data: { i, dueAt },
      opts: { jobId: `bare-${i}`, delay: Math.max(0, dueAt - now), removeOnComplete: true },
    });
  }
  for (let i = 0; i < jobs.length; i += 1000) await queue.addBulk(jobs.slice(i, i + 1000));
  await Promise.race([
    finished,
    new Promise((r) => setTimeout(r, Math.max(0, startAt + windowMs + deadlineMs - Date.now()))),
  ]);
  for (const { w, wc } of workers) {
    await w.close();
    wc.disconnect();
  }
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  conn.disconnect();
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  return { late, fired: seen.size, duplicates, misses: expected - seen.size };
}
