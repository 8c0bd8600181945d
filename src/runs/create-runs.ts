import { loadCatalogSetup } from "../config.js";
import type { EnvOptions } from "../config.js";
import { builtInActions } from "../catalog/action-registry.js";
import type { IncidentDeps } from "../incidents/deps.js";
import type { Metrics } from "../metrics.js";
import { createRunExecutor } from "./deps.js";
import type { RunDeps } from "./deps.js";
import type { RunNotifier } from "./ports.js";
import { createRedactor } from "./redact.js";

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
 * The run use-cases' dependencies: the catalog (loaded and checked against the targets at
 * start-up), the built-in actions, a redactor for every secret Firebreak knows, the
 * executor that runs work after the ack, and the notifier.
 */
export function createRunDeps(o: {
  incidents: IncidentDeps;
  env: EnvOptions;
  metrics: Metrics;
  notices: RunNotifier;
}): RunDeps {
  const { catalog, targets } = loadCatalogSetup(o.env, o.incidents.config);
  const log = o.incidents.log.child({ component: "runs" });
  const redactor = createRedactor([...targets.secrets, ...envSecrets(o.env)]);
  return {
    ...o.incidents,
    log,
    catalog,
    targets,
    actions: builtInActions(),
    redactor,
    executor: createRunExecutor((err) => log.error({ err: redactor.text(String(err)) }, "run work failed")),
    notices: o.notices,
    observeRun(command, outcome, seconds) {
      o.metrics.runs.inc({ command, outcome });
      if (seconds !== undefined) o.metrics.runDuration.observe({ command }, seconds);
    },
  };
}
