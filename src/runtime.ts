/**
 * The composition root: builds every adapter and hands each use-case its typed
 * dependencies. Every cross-feature call is a typed port wired here, and nowhere else:
 * - incidents → paging: `IncidentChangeListener` (start/stop escalation in the change's
 *   transaction) and `IncidentPaging` (`/incident escalate|page`);
 * - alerts → runs: `AlertAutomation` (a route's diagnostics on the incidents alerts open);
 * - alerts → Slack: `MaintenanceNotifier` (maintenance windows' announcements);
 * - incidents, paging, runs → Slack: `IncidentNotifier`, `PageNotifier`, `RunNotifier`,
 *   implemented over the outbox in slack/notifiers;
 * - everything → user groups: one `UserGroupDirectory`, refreshed in the background;
 * - pages and reports → people's names: one `PeopleDirectory` (`people:`, then the Slack profile cache).
 * docs/ARCHITECTURE.md walks through it.
 */
import type { Server } from "node:http";
import type express from "express";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type pg from "pg";
import { AlertProcessor } from "./alerts/alert-processor.js";
import { createAlertmanagerClient } from "./alerts/alertmanager-api.js";
import type { AlertIngestDeps } from "./alerts/process-notification.js";
import { resolveIntakeTokens } from "./config-schema/intake.js";
import type { EnvOptions, FirebreakConfig } from "./config.js";
import { MIGRATIONS_DIR, contactProviderWarnings } from "./config.js";
import { systemClock } from "./core/ports.js";
import type { Clock, PeopleDirectory, UserGroupDirectory, UserNames } from "./core/ports.js";
import type { IncidentDeps } from "./incidents/deps.js";
import type { WeeklyReportDeps } from "./insights/weekly-report.js";
import type { BackgroundJob } from "./jobs/background-job.js";
import { backgroundJobs, drainerHealth } from "./jobs/background-jobs.js";
import { createMetrics } from "./metrics.js";
import type { Metrics } from "./metrics.js";
import { pagingSettings } from "./paging/context.js";
import type { PagingContext } from "./paging/context.js";
import { incidentPaging } from "./paging/incident-paging.js";
import { pagingChangeListener } from "./paging/paging-change-listener.js";
import { createPageProviders } from "./providers/index.js";
import { runsAlertAutomation } from "./runs/auto-runs.js";
import { createRunDeps } from "./runs/create-runs.js";
import type { RunDeps } from "./runs/deps.js";
import type { SlackApp } from "./slack/bolt-app.js";
import { createBotIdentity } from "./slack/bot-identity.js";
import { createFollowUpNotifier } from "./slack/notifiers/follow-up-notifier.js";
import { createReportNotifier } from "./slack/notifiers/report-notifier.js";
import { createIncidentNotifier } from "./slack/notifiers/incident-notifier.js";
import { createMaintenanceNotifier } from "./slack/notifiers/maintenance-notifier.js";
import { createPageNotifier } from "./slack/notifiers/page-notifier.js";
import { createRunNotifier } from "./slack/notifiers/run-notifier.js";
import { OutboxDrainer } from "./slack/outbox/drainer.js";
import { slackOutboxHandlers } from "./slack/outbox/handlers.js";
import { createRoleDirectory, roleUsergroups } from "./slack/role-directory.js";
import { alertSummarySection } from "./slack/summary/alert-section.js";
import { escalationSummarySection } from "./slack/summary/escalation-section.js";
import { runPickerSection } from "./slack/summary/run-picker-section.js";
import { createSlackTransport } from "./slack/transport.js";
import type { SlackTransport } from "./slack/transport.js";
import { createUserGroupDirectory } from "./slack/user-group-directory.js";
import { createUserNames } from "./slack/user-names.js";
import { createSlackProfileDirectory } from "./slack/people-directory.js";
import { layeredPeople, staticPeople } from "./core/people.js";
import { migrate } from "./store/migrator.js";
import { createPool, ensureDatabase } from "./store/pool.js";
import { alertmanagerWebhookRouter } from "./web/alertmanager-route.js";
import { healthRoutes } from "./web/health-routes.js";
import { createHttpApp } from "./web/http-app.js";
import { incidentPagesRouter } from "./web/incident-pages.js";
import { intakeRouter } from "./web/intake-routes.js";
import { insightsRouter } from "./web/insights-pages.js";
import { ackRouter } from "./web/ack-routes.js";
import { calendarRouter } from "./web/calendar-route.js";
import { twilioRouter } from "./web/twilio-routes.js";

/** Which part of Firebreak a process runs: HTTP only, background jobs only, or both. */
export type ProcessRole = "web" | "worker" | "both";

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
}

/** Everything a Firebreak process runs, wired together; `start()` serves, `stop()` lets go of it all. */
export interface Runtime {
  pool: pg.Pool;
  redis: Redis;
  slack: SlackTransport;
  incidents: IncidentDeps;
  runs: RunDeps;
  paging: PagingContext;
  alerts: AlertProcessor;
  usergroups: UserGroupDirectory;
  names: UserNames;
  /** People's names and time zones for pages and reports (the Slack profile cache). */
  people: PeopleDirectory;
  drainer: OutboxDrainer;
  metrics: Metrics;
  http: express.Express;
  /** The background jobs this process runs (see jobs/background-jobs.ts). */
  jobs: BackgroundJob[];
  /** Resolves with the bound port once listening (web: everything; worker: probes and metrics) and draining. */
  start(): Promise<{ port: number | null }>;
  stop(): Promise<void>;
}

export async function createRuntime(o: RuntimeOptions): Promise<Runtime> {
  const log = o.logger;
  const clock = o.clock ?? systemClock;
  const { env, config } = o;
  const slackCreds = o.slack ?? {
    token: env.slackBotToken ?? "",
    signingSecret: env.slackSigningSecret ?? "",
    ...(env.slackApiUrl ? { apiUrl: env.slackApiUrl } : {}),
  };
  // An integration or heartbeat whose token variable is unset stops start-up, naming it.
  const intakeTokens = resolveIntakeTokens(config.intake, env.secrets);
  // A contact method in people: without its provider is skipped on every page: say so now.
  for (const warning of contactProviderWarnings(env, config)) log.warn(warning);
  if (o.migrate) await migrateDatabase(env.databaseUrl, log);

  // Adapters.
  const pool = createPool(env.databaseUrl, { applicationName: `firebreak-${o.role}` });
  const redis = new Redis(env.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
  });
  redis.on("error", (err) => log.debug({ err }, "redis connection error"));
  const metrics = createMetrics();
  let onAuthError: () => void = () => undefined;
  const slack = createSlackTransport({
    token: slackCreds.token,
    ...(slackCreds.apiUrl ? { apiUrl: slackCreds.apiUrl } : {}),
    logger: log,
    onAuthError: () => onAuthError(),
  });
  const identity = createBotIdentity({
    slack,
    token: slackCreds.token,
    log: log.child({ component: "slack" }),
  });
  onAuthError = () => identity.invalidate();
  const usergroups = createUserGroupDirectory({ slack, clock, log: log.child({ component: "usergroups" }) });
  const names = createUserNames({ slack, clock });
  // People's names for pages and reports: `people:` in firebreak.yaml first, else the Slack profile.
  const people = layeredPeople(
    staticPeople(
      new Map(
        Object.entries(config.people).flatMap(([id, p]) =>
          p.name ? [[id, { name: p.name, ...(p.timeZone ? { timeZone: p.timeZone } : {}) }] as const] : [],
        ),
      ),
    ),
    createSlackProfileDirectory({ pool, clock, log: log.child({ component: "people" }) }),
  );
  const notifier = createIncidentNotifier();

  // Paging: escalations, pages and incident timers.
  const paging: PagingContext = {
    pool,
    clock,
    config,
    log: log.child({ component: "paging" }),
    settings: pagingSettings(env, config.jobs),
    usergroups,
    notifier,
    pages: createPageNotifier(config.intake.services),
    providers: createPageProviders({
      ...env.notify,
      ...(env.paging?.webhookSecret ? { webhookSecret: env.paging.webhookSecret } : {}),
    }),
    metrics,
  };

  // Incidents, told of by paging's listener and reaching paging through its port.
  const incidents: IncidentDeps = {
    pool,
    clock,
    config,
    log,
    roles: createRoleDirectory({ config, usergroups }),
    notifier,
    changeListeners: [pagingChangeListener(paging)],
    paging: incidentPaging(paging),
    usergroups,
    followUps: createFollowUpNotifier(),
  };

  // Runs: the catalog, its actions and approvals.
  const runs = createRunDeps({ incidents, env, metrics, notices: createRunNotifier() });

  // Alerts: Alertmanager's, integrations' and heartbeats' notifications into incidents
  // (held back by maintenance windows); a route's diagnostics and self-heal through runs.
  const alertLog = log.child({ component: "alerts" });
  const alertIngest: AlertIngestDeps = {
    incidents,
    usergroups,
    maintenance: createMaintenanceNotifier(),
    automation: runsAlertAutomation(runs),
  };
  const alerts = new AlertProcessor(alertIngest, {
    log: alertLog,
    onProcessed: (outcome) =>
      metrics.alertNotificationsProcessed.inc({
        plan: outcome === "failed" ? "failed" : outcome.status === "skipped" ? "skipped" : outcome.plan,
      }),
  });
  const alertmanager = env.alertmanagerUrl
    ? createAlertmanagerClient({ baseUrl: env.alertmanagerUrl })
    : null;
  if (!env.alertmanagerToken && o.role !== "worker")
    alertLog.warn("ALERTMANAGER_TOKEN is not set: POST /alerts/alertmanager answers 503 until it is.");

  // Insights: the weekly report (a job) and `/incident report`.
  const reports: WeeklyReportDeps = {
    pool,
    clock,
    timeZone: config.timezone,
    schedule: config.weeklyReport,
    people,
    notifier: createReportNotifier(),
    ...(env.publicUrl ? { publicUrl: env.publicUrl } : {}),
    log: log.child({ component: "weekly-report" }),
  };

  // Slack: the outbox (every Web API call) and the Bolt app (every inbound request).
  const drainer = new OutboxDrainer({
    pool,
    databaseUrl: env.databaseUrl,
    transport: slack,
    handlers: slackOutboxHandlers({
      config,
      clock,
      log: log.child({ component: "outbox" }),
      sections: [
        alertSummarySection({ alerts: config.alerts, silencesEnabled: alertmanager !== null }),
        escalationSummarySection(config.timezone),
        runPickerSection(runs.catalog),
      ],
    }),
    log: log.child({ component: "outbox" }),
    pollIntervalMs: config.jobs.outboxPollMs,
    onPass: drainerHealth(metrics),
    onCall: (method, outcome, seconds) => {
      metrics.slackCalls.inc({ method, outcome });
      metrics.slackCallDuration.observe({ method }, seconds);
    },
  });

  // HTTP: probes, Alertmanager, incident pages and insights, then Slack's endpoint.
  const http = createHttpApp(metrics);
  http.use(healthRoutes({ pool, redis, metrics }));
  http.use(
    alertmanagerWebhookRouter({
      pool,
      clock,
      log: alertLog,
      token: env.alertmanagerToken,
      onStored: (id) => alerts.kick(id),
      onAnswer: (outcome) => metrics.alertNotifications.inc({ outcome }),
    }),
  );
  http.use(
    intakeRouter({
      pool,
      clock,
      log: alertLog,
      integrations: config.intake.integrations,
      heartbeats: config.intake.heartbeats,
      tokens: intakeTokens,
      onStored: (id) => alerts.kick(id),
      onAnswer: (door, name, outcome) => metrics.intakeRequests.inc({ door, name, outcome }),
    }),
  );
  const access = { ...(env.webCredentials ? { credentials: env.webCredentials } : {}) };
  http.use(incidentPagesRouter({ pool, clock, config, access, people, followUps: incidents }));
  const serviceNames = config.intake.services.map((s) => s.name);
  http.use(
    insightsRouter({ pool, clock, timeZone: config.timezone, access, people, services: () => serviceNames }),
  );
  // Answering pages where they land: ack links, Twilio's SMS replies and calls, calendar feeds.
  const answers = { paging, incidents };
  http.use(ackRouter({ ...answers, timeZone: config.timezone }));
  http.use(
    twilioRouter({
      answers,
      ...(env.notify.twilio ? { authToken: env.notify.twilio.authToken } : {}),
      ...(env.notify.publicUrl ? { publicUrl: env.notify.publicUrl } : {}),
      log: log.child({ component: "twilio" }),
    }),
  );
  http.use(calendarRouter(paging));
  const socketMode = Boolean(env.slackAppToken) && !o.slack;
  // Bolt answers Slack's requests: web processes only (a worker never loads it).
  let slackApp: SlackApp | null = null;
  let inboundReplay: (() => Promise<unknown>) | undefined;
  if (o.role !== "worker") {
    const { createSlackApp } = await import("./slack/bolt-app.js");
    const { registerSlackListeners } = await import("./slack/listeners/index.js");
    slackApp = createSlackApp({
      signingSecret: slackCreds.signingSecret,
      identity,
      log,
      ...(socketMode ? { appToken: env.slackAppToken! } : { http }),
      ...(slackCreds.apiUrl ? { apiUrl: slackCreds.apiUrl } : {}),
    });
    // First in line: every request is journaled before any listener acknowledges it.
    const { inboundJournal, inboundReplayer } = await import("./slack/inbound-journal.js");
    slackApp.app.use(inboundJournal({ pool, log: log.child({ component: "inbound" }) }));
    inboundReplay = inboundReplayer({
      app: slackApp.app,
      pool,
      slack,
      log: log.child({ component: "inbound" }),
      now: () => clock.now(),
    });
    registerSlackListeners(slackApp.app, {
      incidents,
      runs,
      paging,
      slack,
      names,
      alertmanager,
      alerts: alertIngest,
      reports,
    });
  }

  const jobs = backgroundJobs({
    role: o.role,
    ...(inboundReplay ? { inboundReplay } : {}),
    jobs: config.jobs,
    log,
    metrics,
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
    drainer,
    alerts,
    alertIngest,
    runs,
    incidents,
    usergroups,
    paging,
    reports,
  });

  let server: Server | null = null;
  return {
    pool,
    redis,
    slack,
    incidents,
    runs,
    paging,
    alerts,
    usergroups,
    names,
    people,
    drainer,
    metrics,
    http,
    jobs,
    async start() {
      await redis.connect().catch((err: unknown) => log.warn({ err }, "redis not reachable yet; will retry"));
      if (o.role !== "worker") {
        // Who the bot is, and who is in the role groups, before the first request asks.
        await withDeadline(Promise.all([identity.resolve(), usergroups.load(roleUsergroups(config))]), 5_000);
      }
      for (const job of jobs) await job.start();
      await slackApp?.start();
      // A worker serves only its probes and metrics (its pages, runs and jobs are counted there).
      const served =
        o.role === "worker" ? createHttpApp(metrics).use(healthRoutes({ pool, redis, metrics })) : http;
      const s = served.listen(env.port, env.host);
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
          { err, port: env.port },
          "worker cannot serve /healthz and /metrics on PORT (taken?); running without",
        );
        server = null;
        return { port: null };
      }
      const addr = s.address();
      return { port: typeof addr === "object" && addr ? addr.port : null };
    },
    async stop() {
      identity.stop();
      for (const job of [...jobs].reverse())
        await job
          .stop()
          .catch((err: unknown) => log.warn({ err, job: job.name }, "job did not stop cleanly"));
      await alerts.stop();
      await runs.executor.stop();
      await paging.providers.close();
      await slackApp?.stop();
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

/** Creates the database if it may, and applies the migrations (safe to run concurrently). */
async function migrateDatabase(databaseUrl: string, log: Logger): Promise<void> {
  if (await ensureDatabase(databaseUrl)) log.info("created the database");
  const pool = createPool(databaseUrl, { max: 2 });
  try {
    const res = await migrate(pool, MIGRATIONS_DIR);
    if (res.applied.length) log.info({ applied: res.applied }, "migrations applied");
  } finally {
    await pool.end();
  }
}

/** Waits for `work` at most `ms`; what is not done by then goes on in the background. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work.catch(() => undefined),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
}
