import { loadCatalogSetup } from "../config.js";
import type { EnvOptions } from "../config.js";
import { builtInActions } from "../catalog/action-registry.js";
import type { FeatureFactory } from "../feature-module.js";
import type { IncidentDeps } from "../incidents/deps.js";
import { registerRunListeners } from "../slack/listeners/run-listeners.js";
import { runPickerBlocks } from "../slack/views/run-catalog.js";
import { createRunExecutor } from "./deps.js";
import type { RunDeps } from "./deps.js";
import { createRedactor } from "./redact.js";
import { runOutboxHandlers } from "./run-outbox-handlers.js";
import { sweepRuns } from "./sweep-runs.js";

const SWEEP_EVERY_MS = 5_000;

const byIncidents = new WeakMap<IncidentDeps, RunDeps>();

/**
 * The run dependencies of the runtime whose incident deps these are: how other features
 * (alert routing) reach `runAutoDiagnostics` and `runAlertRemediation`.
 */
export function runDepsOf(incidents: IncidentDeps): RunDeps | undefined {
  return byIncidents.get(incidents);
}

/** Secrets of Firebreak's own environment, redacted from run output as well. */
function envSecrets(env: EnvOptions): string[] {
  const out = [env.slackBotToken, env.slackSigningSecret, env.slackAppToken, env.alertmanagerToken];
  for (const url of [env.databaseUrl, env.redisUrl]) {
    try {
      const password = decodeURIComponent(new URL(url).password);
      if (password) out.push(password);
    } catch {
      // validated by readEnvOptions; nothing to add
    }
  }
  return out.filter((s): s is string => typeof s === "string" && s.length >= 4);
}

/**
 * Approved diagnostics and remediations: the catalog (loaded and checked at start-up), the
 * `/run` listeners, the summary's command picker, the outbox continuations of approval
 * messages and file uploads, and the sweep that expires approvals and marks runs that a
 * dead process left running as interrupted.
 */
export const runsFeature: FeatureFactory = (ctx) => {
  const { catalog, targets } = loadCatalogSetup(ctx.env, ctx.config);
  const log = ctx.log.child({ component: "runs" });
  const redactor = createRedactor([...targets.secrets, ...envSecrets(ctx.env)]);
  const executor = createRunExecutor((err) =>
    log.error({ err: redactor.text(String(err)) }, "run work failed"),
  );
  const deps: RunDeps = {
    ...ctx.incidents,
    log,
    catalog,
    targets,
    actions: builtInActions(),
    redactor,
    executor,
    observeRun(command, outcome, seconds) {
      ctx.metrics.runs.inc({ command, outcome });
      if (seconds !== undefined) ctx.metrics.runDuration.observe({ command }, seconds);
    },
  };
  byIncidents.set(ctx.incidents, deps);
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweep = () => {
    sweeping = sweepRuns(deps).catch((err: unknown) => log.warn({ err }, "run sweep failed; retrying"));
    return sweeping;
  };
  return {
    name: "runs",
    outboxHandlers: runOutboxHandlers({ clock: ctx.clock, log }),
    async summaryBlocks(_tx, incident) {
      if (incident.state === "resolved") return [];
      const allowed = [...catalog.commands.values()].filter(
        (c) => !c.policy.severities || c.policy.severities.includes(incident.severity),
      );
      return runPickerBlocks(incident.id, allowed);
    },
    registerSlack(app) {
      registerRunListeners(app, { ...deps, slack: ctx.slack });
    },
    async startWorker() {
      await sweep();
      timer = setInterval(() => void sweep(), SWEEP_EVERY_MS);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await sweeping;
      await executor.stop();
    },
  };
};
