#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * Firebreak's composition root and CLI:
 *   start | web | worker | migrate | audit verify [--incident N] | timeline N [--format md|json] | check-config
 */
import { parseArgs } from "node:util";
import {
  MIGRATIONS_DIR,
  contactProviderWarnings,
  loadCatalogSetup,
  loadFirebreakConfig,
  readEnvOptions,
} from "./config.js";
import { resolveIntakeTokens } from "./config-schema/intake.js";
import type { EnvOptions } from "./config.js";
import { TARGET_TYPES, targetNames } from "./config-schema/targets.js";
import { FirebreakError } from "./core/errors.js";
import { describeBreak, verifyChain } from "./core/timeline/event-hash.js";
import { timelineToJson, timelineToMarkdown } from "./core/timeline/export.js";
import { createLogger } from "./log.js";
import type { ProcessRole } from "./runtime.js";
import { getIncident } from "./store/incidents/incidents.js";
import { migrate } from "./store/migrator.js";
import { createPool, ensureDatabase } from "./store/pool.js";
import { auditTimeline } from "./store/timeline/audit-timeline.js";
import { listTimeline } from "./store/timeline/timeline-events.js";
import { runOncallCli } from "./paging/oncall-cli.js";

const USAGE = `Usage: firebreak <command>
  start                     web and worker in one process (migrates first)
  web                       serve HTTP: Slack, Alertmanager, health, metrics
  worker                    run the outbox and jobs
  migrate                   apply database migrations (creates the database if allowed)
  audit verify [--incident N]   recompute the timeline hash chains; non-zero exit on a broken link
  timeline N [--format md|json] export an incident's timeline
  check-config              validate the environment and firebreak.yaml
  oncall simulate <policy|P0-P3> [--at <time>]  who would be paged, and when, if nobody acknowledged`;

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      incident: { type: "string" },
      at: { type: "string" },
      format: { type: "string", default: "md" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (!command || values.help || command === "help") {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  const env = readEnvOptions(process.env);
  switch (command) {
    case "start":
    case "web":
    case "worker":
      return serve(env, command === "start" ? "both" : command);
    case "migrate":
      return runMigrate(env);
    case "audit":
      if (rest[0] !== "verify")
        throw new FirebreakError("input_invalid", "Use `firebreak audit verify [--incident N]`.");
      return runAudit(env, values.incident === undefined ? undefined : parseIncidentNumber(values.incident));
    case "timeline":
      return runTimeline(env, parseIncidentNumber(rest[0]), values.format ?? "md");
    case "oncall":
      return runOncallCli(
        { config: loadFirebreakConfig(env.configPath), databaseUrl: env.databaseUrl, now: new Date() },
        rest,
        values.at,
        { log: (l) => console.log(l), warn: (l) => console.error(l) },
      );
    case "check-config": {
      const config = loadFirebreakConfig(env.configPath);
      const { catalog, targets } = loadCatalogSetup(env, config);
      const intake = config.intake;
      resolveIntakeTokens(intake, env.secrets);
      const kinds = [...catalog.commands.values()].map((c) => c.kind);
      console.log(
        `ok: ${env.configPath} (${Object.keys(config.severities).length} severities); environment valid${env.localMode ? " (local mode: no SLACK_BOT_TOKEN)" : ""}`,
      );
      console.log(
        `ok: intake (${intake.integrations.length} integrations, ${intake.heartbeats.length} heartbeats, ${intake.services.length} services; every token set)`,
      );
      const warnings = contactProviderWarnings(env, config);
      console.log(
        `${warnings.length ? "warning" : "ok"}: people (${Object.keys(config.people).length} with their own contact methods)`,
      );
      for (const w of warnings) console.log(`warning: ${w}`);
      console.log(
        `ok: ${env.commandsDir} (${kinds.filter((k) => k === "diagnostic").length} diagnostics, ${kinds.filter((k) => k === "remediation").length} remediations; targets: ${TARGET_TYPES.map((t) => `${t} ${targetNames(targets, t).length}`).join(", ")})`,
      );
      const routes = config.alerts.routes;
      console.log(
        `ok: alerts.routes (${routes.length} routes; ${routes.reduce((n, r) => n + r.autoDiagnostics.length, 0)} diagnostics and ${routes.filter((r) => r.selfHeal).length} self-heals, each checked against the catalog)`,
      );
      return 0;
    }
    default:
      console.error(`Unknown command "${command}".\n${USAGE}`);
      return 2;
  }
}

function parseIncidentNumber(text: string | undefined): number {
  const n = Number(text);
  if (!text || !Number.isInteger(n) || n < 0)
    throw new FirebreakError(
      "input_invalid",
      `"${text ?? ""}" is not an incident number: e.g. \`firebreak timeline 12\`.`,
    );
  return n;
}

async function serve(env: EnvOptions, role: ProcessRole): Promise<number> {
  const config = loadFirebreakConfig(env.configPath);
  // The catalog and the commands alert routes name are checked before anything is touched.
  loadCatalogSetup(env, config);
  const logger = createLogger(env.logLevel);
  // Local mode only: the Slack emulator and its console are never loaded in production.
  const local = env.localMode
    ? await (await import("./local-mode.js")).startLocalMode({ env, logger })
    : null;
  // Loaded for the serving commands only: the CLI's other commands stay light.
  const { createRuntime } = await import("./runtime.js");
  const runtime = await createRuntime({
    env,
    config,
    logger,
    role,
    migrate: role !== "worker",
    ...(local ? { slack: local.slack } : {}),
  });
  const { port } = await runtime.start();
  if (local && port !== null) await local.attach(`http://127.0.0.1:${port}`, runtime);
  logger.info({ port, role }, "firebreak started");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  logger.info("shutting down");
  await runtime.stop();
  await local?.stop();
  return 0;
}

async function runMigrate(env: EnvOptions): Promise<number> {
  if (await ensureDatabase(env.databaseUrl)) console.log("created the database");
  const pool = createPool(env.databaseUrl, { max: 1 });
  try {
    const res = await migrate(pool, MIGRATIONS_DIR);
    console.log(
      res.applied.length
        ? `applied: ${res.applied.join(", ")}`
        : `up to date (${res.alreadyApplied} migrations)`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

async function runAudit(env: EnvOptions, incidentId: number | undefined): Promise<number> {
  const pool = createPool(env.databaseUrl, { max: 2 });
  try {
    const report = await auditTimeline(pool, incidentId === undefined ? {} : { incidentId });
    for (const b of report.broken) console.error(`BROKEN ${describeBreak(b)}`);
    const summary = `${report.chains} chains, ${report.events} events: ${report.broken.length ? `${report.broken.length} broken` : "all hashes verified"}`;
    (report.broken.length ? console.error : console.log)(summary);
    return report.broken.length ? 1 : 0;
  } finally {
    await pool.end();
  }
}

async function runTimeline(env: EnvOptions, incidentId: number, format: string): Promise<number> {
  if (format !== "md" && format !== "json")
    throw new FirebreakError("input_invalid", `--format ${format}: use md or json.`);
  const pool = createPool(env.databaseUrl, { max: 2 });
  try {
    const incident = await getIncident(pool, incidentId);
    if (!incident) throw new FirebreakError("not_found", `There is no incident #${incidentId}.`);
    const events = await listTimeline(pool, incidentId);
    const problem = verifyChain(events);
    process.stdout.write(
      format === "json"
        ? `${timelineToJson(incident, events, !problem)}\n`
        : timelineToMarkdown(
            incident,
            events,
            problem ? `BROKEN — ${describeBreak(problem)}` : `verified (${events.length} events)`,
          ),
    );
    return 0;
  } finally {
    await pool.end();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // One line naming what is wrong and how to fix it; the stack only when it is our bug.
    if (err instanceof FirebreakError && err.code !== "internal")
      console.error(err.message.replace(/^/gm, "firebreak: "));
    else console.error("firebreak: unexpected error", err);
    process.exit(err instanceof FirebreakError && err.code === "config_invalid" ? 78 : 1);
  },
);
