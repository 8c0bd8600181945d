import type { Server } from "node:http";
import { App as BoltApp, ExpressReceiver } from "@slack/bolt";
import express from "express";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type pg from "pg";
import { alertsFeature } from "./alerts/alerts-feature.js";
import type { EnvOptions, FirebreakConfig } from "./config.js";
import { MIGRATIONS_DIR } from "./config.js";
import { systemClock } from "./core/ports.js";
import type { Clock } from "./core/ports.js";
import type { FeatureFactory, FeatureModule, ProcessRole } from "./feature-module.js";
import type { IncidentDeps, IncidentObserver } from "./incidents/deps.js";
import { summaryRefresherFeature } from "./incidents/summary-refresher.js";
import { createMetrics } from "./metrics.js";
import type { Metrics } from "./metrics.js";
import { incidentOutboxHandlers } from "./slack/incident-outbox-handlers.js";
import { registerIncidentListeners } from "./slack/listeners/incident-listeners.js";
import { OutboxDrainer } from "./slack/outbox-drainer.js";
import type { OutboxHandler } from "./slack/outbox-drainer.js";
import { createRoleDirectory } from "./slack/role-directory.js";
import { pinoToSlackLogger } from "./slack/slack-logger.js";
import { createSlackTransport } from "./slack/slack-transport.js";
import type { SlackTransport } from "./slack/slack-transport.js";
import { migrate } from "./store/migrator.js";
import { createPool, ensureDatabase } from "./store/pool.js";
import { pagingFeature } from "./paging/paging-feature.js";
import { runsFeature } from "./runs/run-feature.js";
import { healthRoutes } from "./web/health-routes.js";
import { incidentPagesFeature } from "./web/incident-pages-feature.js";

export type { ProcessRole } from "./feature-module.js";

export interface RuntimeOptions {
  env: EnvOptions;
  config: FirebreakConfig;
  logger: Logger;
  role: ProcessRole;
  clock?: Clock;
  /** Slack credentials when not taken from env (local mode hands in its emulator's). */
  slack?: { token: string; signingSecret: string; apiUrl?: string };
  /** Apply migrations (creating the database if allowed) before serving. */
  migrate?: boolean;
  /** Features to plug in; defaults to every feature Firebreak has (see FEATURES). */
  features?: FeatureFactory[];
}

/** Every feature, in the order they are wired. Add a feature here, nowhere else. */
export const FEATURES: FeatureFactory[] = [
  incidentPagesFeature,
  runsFeature,
  alertsFeature,
  pagingFeature,
  summaryRefresherFeature,
];

/** Everything a Firebreak process runs, wired together; `start()` serves, `stop()` lets go of it all. */
export interface Runtime {
  pool: pg.Pool;
  redis: Redis;
  slack: SlackTransport;
  incidents: IncidentDeps;
  drainer: OutboxDrainer;
  metrics: Metrics;
  http: express.Express;
  modules: FeatureModule[];
  /** Resolves with the bound port once listening (web: everything; worker: probes and metrics) and draining. */
  start(): Promise<{ port: number | null }>;
  stop(): Promise<void>;
}

/** The composition root's body: builds the adapters and hands each its dependencies. */
export async function createRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.logger;
  const clock = o.clock ?? systemClock;
  const slackCreds = o.slack ?? {
    token: o.env.slackBotToken ?? "",
    signingSecret: o.env.slackSigningSecret ?? "",
    ...(o.env.slackApiUrl ? { apiUrl: o.env.slackApiUrl } : {}),
  };
  if (o.migrate) {
    if (await ensureDatabase(o.env.databaseUrl)) log.info("created the database");
    const pool = createPool(o.env.databaseUrl, { max: 2 });
    try {
      const res = await migrate(pool, MIGRATIONS_DIR);
      if (res.applied.length) log.info({ applied: res.applied }, "migrations applied");
    } finally {
      await pool.end();
    }
  }
  const pool = createPool(o.env.databaseUrl, { applicationName: `firebreak-${o.role}` });
  const redis = new Redis(o.env.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  redis.on("error", (err) => log.debug({ err }, "redis connection error"));
  const metrics = createMetrics();
  const slack = createSlackTransport({
    token: slackCreds.token,
    ...(slackCreds.apiUrl ? { apiUrl: slackCreds.apiUrl } : {}),
    logger: log,
  });
  const observers: IncidentObserver[] = [];
  const incidents: IncidentDeps = {
    pool,
    clock,
    config: o.config,
    log,
    roles: createRoleDirectory({ config: o.config, slack, log }),
    observers,
  };
  const modules: FeatureModule[] = [];
  for (const factory of o.features ?? FEATURES) {
    modules.push(
      await factory({
        env: o.env,
        config: o.config,
        log,
        clock,
        pool,
        redis,
        slack,
        incidents,
        metrics,
        role: o.role,
      }),
    );
  }
  const handlers = new Map<string, OutboxHandler>([
    ...incidentOutboxHandlers({
      config: o.config,
      clock,
      contributors: modules.flatMap((m) => (m.summaryBlocks ? [m.summaryBlocks] : [])),
    }),
  ]);
  for (const m of modules) {
    for (const [k, v] of m.outboxHandlers ?? []) handlers.set(k, v);
    observers.push(...(m.observers ?? []));
  }
  const drainer = new OutboxDrainer({
    pool,
    databaseUrl: o.env.databaseUrl,
    transport: slack,
    handlers,
    log: log.child({ component: "outbox" }),
    onCall: (method, outcome, seconds) => {
      metrics.slackCalls.inc({ method, outcome });
      metrics.slackCallDuration.observe({ method }, seconds);
    },
  });

  const http = express();
  http.disable("x-powered-by");
  http.use((req, res, next) => {
    const end = metrics.httpDuration.startTimer({ route: routeLabel(req.path) });
    res.on("finish", () => {
      end();
      metrics.httpRequests.inc({ route: routeLabel(req.path), code: String(res.statusCode) });
    });
    next();
  });
  http.use(healthRoutes({ pool, redis, metrics }));
  for (const m of modules) if (m.routes) http.use(m.routes);

  const slackLogger = pinoToSlackLogger(log, "bolt");
  const socketMode = Boolean(o.env.slackAppToken) && !o.slack;
  const receiver = socketMode
    ? undefined
    : new ExpressReceiver({
        signingSecret: slackCreds.signingSecret,
        app: http,
        endpoints: "/slack/events",
        processBeforeResponse: false,
        logger: slackLogger,
      });
  const app = new BoltApp({
    token: slackCreds.token,
    ...(receiver
      ? { receiver }
      : { socketMode: true, appToken: o.env.slackAppToken!, signingSecret: slackCreds.signingSecret }),
    logger: slackLogger,
    tokenVerificationEnabled: false,
    clientOptions: {
      ...(slackCreds.apiUrl ? { slackApiUrl: slackCreds.apiUrl } : {}),
      retryConfig: { retries: 0 },
    },
  });
  app.error(async (err) => {
    log.error({ err }, "unhandled error in a Slack listener");
  });
  registerIncidentListeners(app, { ...incidents, slack });
  for (const m of modules) m.registerSlack?.(app);

  let server: Server | null = null;
  return {
    pool,
    redis,
    slack,
    incidents,
    drainer,
    metrics,
    http,
    modules,
    async start() {
      await redis.connect().catch((err: unknown) => log.warn({ err }, "redis not reachable yet; will retry"));
      if (o.role !== "web") {
        drainer.start();
        for (const m of modules) await m.startWorker?.();
      }
      if (socketMode && o.role !== "worker") await app.start();
      // A worker serves only its probes and metrics (its pages, runs and jobs are counted there).
      const served = o.role === "worker" ? express().use(healthRoutes({ pool, redis, metrics })) : http;
      const s = served.listen(o.env.port, o.env.host);
      server = s;
      try {
        await new Promise<void>((resolve, reject) => {
          s.once("listening", resolve);
          s.once("error", reject);
        });
      } catch (err) {
        // A worker beside a web process on one host: it still works, without its own probes.
        if (o.role !== "worker") throw err;
        log.warn(
          { err, port: o.env.port },
          "worker cannot serve /healthz and /metrics on PORT (taken?); running without",
        );
        server = null;
        return { port: null };
      }
      const addr = s.address();
      return { port: typeof addr === "object" && addr ? addr.port : null };
    },
    async stop() {
      for (const m of [...modules].reverse())
        await m
          .stop?.()
          .catch((err: unknown) => log.warn({ err, feature: m.name }, "feature did not stop cleanly"));
      await drainer.stop();
      if (socketMode) await app.stop().catch(() => undefined);
      const s = server;
      if (s) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      redis.disconnect();
      await pool.end();
    },
  };
}

/** Keeps metric label cardinality bounded: known routes, else "other". */
function routeLabel(path: string): string {
  return ["/slack/events", "/alerts/alertmanager", "/healthz", "/readyz", "/metrics"].includes(path)
    ? path
    : "other";
}
