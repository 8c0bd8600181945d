import { Router } from "express";
import type { Redis } from "ioredis";
import type pg from "pg";
import type { Metrics } from "../metrics.js";
import { outboxStats } from "../store/outbox/outbox-calls.js";

/** GET /healthz (the process is up), /readyz (Postgres and Redis reachable), /metrics. */
export function healthRoutes(deps: { pool: pg.Pool; redis: Redis; metrics: Metrics }): Router {
  const router = Router();
  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  router.get("/readyz", async (_req, res) => {
    const check = async (fn: () => Promise<unknown>) => {
      try {
        await withTimeout(fn(), 2_000);
        return "ok";
      } catch (err) {
        return `unreachable: ${(err as Error).message}`;
      }
    };
    const [postgres, redis] = await Promise.all([
      check(() => deps.pool.query("SELECT 1")),
      check(() => deps.redis.ping()),
    ]);
    const ready = postgres === "ok" && redis === "ok";
    res.status(ready ? 200 : 503).json({ status: ready ? "ready" : "not ready", postgres, redis });
  });
  router.get("/metrics", async (_req, res) => {
    try {
      const stats = await outboxStats(deps.pool);
      deps.metrics.outboxPending.set(stats.pending);
      deps.metrics.outboxFailed.set(stats.failed);
      deps.metrics.outboxOldestSeconds.set(stats.oldestPendingSeconds);
    } catch {
      // Metrics still answer when Postgres does not: the outbox gauges keep their last value.
    }
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
