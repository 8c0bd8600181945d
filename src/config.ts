/**
 * Every environment variable and the YAML config, parsed and validated in one place.
 * Nothing else in src/ reads process.env: the rest of the code receives these options.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseDuration } from "./core/duration.js";
import { FirebreakError } from "./core/errors.js";
import type { Role, PermissionPolicy, SeverityPolicy } from "./core/incident/roles.js";
import type { Severity } from "./core/incident/severity.js";
import { alertsSectionShape, buildAlertsConfig } from "./config-schema/alerts.js";
import type { AlertsConfig } from "./config-schema/alerts.js";
import { buildJobsConfig, jobsSectionShape } from "./config-schema/jobs.js";
import { buildWeeklyReportConfig, reportsSectionShape } from "./config-schema/reports.js";
import type { WeeklyReportConfig } from "./config-schema/reports.js";
import type { JobsConfig } from "./config-schema/jobs.js";
import { pagingSectionShape, validatePagingConfig } from "./config-schema/paging.js";
import { methodTypesInUse, peopleSectionShape } from "./config-schema/people.js";
import type { PeopleConfig } from "./config-schema/people.js";
import { isE164, isEmailAddress } from "./core/notify/contact-methods.js";
import type { PagingConfig } from "./config-schema/paging.js";
import { buildTargetsConfig, resolveTargets, targetsSectionShape } from "./config-schema/targets.js";
import { buildIntakeConfig, intakePolicyReferences, intakeSectionShape } from "./config-schema/intake.js";
import type { IntakeConfig } from "./config-schema/intake.js";
import type { ResolvedTargets, TargetsConfig } from "./config-schema/targets.js";
import { builtInActions } from "./catalog/action-registry.js";
import { loadCatalog } from "./catalog/loader.js";
import { routeCommandProblems } from "./catalog/route-commands.js";
import type { Catalog } from "./core/catalog/types.js";
import {
  buildPermissionPolicy,
  buildSeverityPolicies,
  incidentsSectionShape,
} from "./config-schema/incidents.js";

const PACKAGE_ROOT = path.resolve(import.meta.dirname, "..");
export const BUNDLED_EXAMPLE_CONFIG = path.join(PACKAGE_ROOT, "firebreak.example.yaml");
export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, "migrations");

/** Options from the environment (names and defaults are a contract: see DESIGN.md). */
export interface EnvOptions {
  slackBotToken?: string;
  slackSigningSecret?: string;
  slackAppToken?: string;
  slackApiUrl?: string;
  /** No bot token: run against the built-in Slack emulator. */
  localMode: boolean;
  databaseUrl: string;
  redisUrl: string;
  port: number;
  host: string;
  configPath: string;
  commandsDir: string;
  alertmanagerToken?: string;
  alertmanagerUrl?: string;
  /** HTTP basic-auth credentials for the incident pages beyond loopback (FIREBREAK_WEB_USER/_PASSWORD). */
  webCredentials?: { user: string; password: string };
  /** Firebreak's public base URL (FIREBREAK_PUBLIC_URL), for links to its pages from Slack; no trailing slash. */
  publicUrl?: string;
  logLevel: string;
  /** Paging timers and the outbound page webhook (see {@link PagingEnvOptions}). */
  paging?: PagingEnvOptions;
  /** Pages beyond Slack: email, SMS and voice, push, and the links in them (see {@link NotifyEnvOptions}). */
  notify: NotifyEnvOptions;
  /** Every variable's raw value, for resolving secrets named in firebreak.yaml (`*_env`). */
  secrets: Readonly<Record<string, string | undefined>>;
}

/**
 * FIREBREAK_REDIS_PREFIX (BullMQ key prefix, default `firebreak`), FIREBREAK_RECONCILE_INTERVAL
 * (how often timers are rebuilt from Postgres, default 30s), FIREBREAK_POSTMORTEM_REMINDER
 * (after resolve, default 3d), FIREBREAK_PAGE_WEBHOOK_URL + FIREBREAK_PAGE_WEBHOOK_SECRET
 * (the HMAC-signed outbound page webhook; unset: Slack pages only).
 */
export interface PagingEnvOptions {
  redisPrefix: string;
  /** Set only when FIREBREAK_RECONCILE_INTERVAL is: it overrides `jobs.reconcile` in firebreak.yaml. */
  reconcileIntervalMs?: number;
  postmortemReminderMs: number;
  webhook?: { url: string; secret: string };
  /** FIREBREAK_PAGE_WEBHOOK_SECRET: also signs pages to webhook contact methods in `people:`. */
  webhookSecret?: string;
}

/**
 * FIREBREAK_PUBLIC_URL (ack links, Twilio callbacks, calendar feeds), SMTP_URL +
 * FIREBREAK_EMAIL_FROM (email), TWILIO_ACCOUNT_SID + TWILIO_AUTH_TOKEN + TWILIO_FROM
 * (+ TWILIO_API_URL for a Twilio-compatible API) for SMS and voice, NTFY_URL (+ NTFY_TOKEN)
 * for push. Each provider is off while its variables are unset.
 */
export interface NotifyEnvOptions {
  publicUrl?: string;
  email?: { smtpUrl: string; from: string };
  twilio?: { accountSid: string; authToken: string; from: string; apiUrl?: string };
  ntfy?: { url: string; token?: string };
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads and validates the environment; throws config_invalid naming the variable and the fix. */
export function readEnvOptions(
  env: Readonly<Record<string, string | undefined>>,
  cwd = process.cwd(),
): EnvOptions {
  const get = (name: string): string | undefined => {
    const v = env[name]?.trim();
    return v ? v : undefined;
  };
  const fail = (name: string, fix: string): never => {
    throw new FirebreakError("config_invalid", `${name}: ${fix}`);
  };
  const slackBotToken = get("SLACK_BOT_TOKEN");
  if (slackBotToken && !/^xoxb-/.test(slackBotToken))
    fail(
      "SLACK_BOT_TOKEN",
      "must be a bot token starting with xoxb- (OAuth & Permissions page of your Slack app).",
    );
  const slackSigningSecret = get("SLACK_SIGNING_SECRET");
  const slackAppToken = get("SLACK_APP_TOKEN");
  if (slackAppToken && !/^xapp-/.test(slackAppToken))
    fail("SLACK_APP_TOKEN", "must be an app-level token starting with xapp- (or unset it to use HTTP).");
  if (slackAppToken && !slackBotToken)
    fail(
      "SLACK_BOT_TOKEN",
      "is required with SLACK_APP_TOKEN: Socket Mode carries what Slack sends; replies still need the bot token (xoxb-, OAuth & Permissions).",
    );
  // Socket Mode envelopes are not signed: the secret only guards the HTTP Request URL.
  if (slackBotToken && !slackAppToken && !slackSigningSecret)
    fail(
      "SLACK_SIGNING_SECRET",
      "is required with SLACK_BOT_TOKEN (Basic Information → App Credentials → Signing Secret), unless SLACK_APP_TOKEN selects Socket Mode.",
    );
  const slackApiUrl = get("SLACK_API_URL");
  if (slackApiUrl) checkUrl("SLACK_API_URL", slackApiUrl, ["http:", "https:"], fail);
  const databaseUrl = get("DATABASE_URL") ?? "postgres://localhost:5432/firebreak";
  checkUrl("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"], fail);
  const redisUrl = get("REDIS_URL") ?? "redis://127.0.0.1:6379";
  checkUrl("REDIS_URL", redisUrl, ["redis:", "rediss:"], fail);
  const portText = get("PORT") ?? "3000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail("PORT", `"${portText}" is not a port number: use 1–65535.`);
  const alertmanagerUrl = get("ALERTMANAGER_URL");
  if (alertmanagerUrl) checkUrl("ALERTMANAGER_URL", alertmanagerUrl, ["http:", "https:"], fail);
  const publicUrl = get("FIREBREAK_PUBLIC_URL")?.replace(/\/+$/, "");
  if (publicUrl) checkUrl("FIREBREAK_PUBLIC_URL", publicUrl, ["http:", "https:"], fail);
  const webUser = get("FIREBREAK_WEB_USER");
  const webPassword = get("FIREBREAK_WEB_PASSWORD");
  if (Boolean(webUser) !== Boolean(webPassword))
    fail(
      webUser ? "FIREBREAK_WEB_PASSWORD" : "FIREBREAK_WEB_USER",
      "set both FIREBREAK_WEB_USER and FIREBREAK_WEB_PASSWORD (or neither: incident pages answer loopback only).",
    );
  const logLevel = get("LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel))
    fail("LOG_LEVEL", `"${logLevel}" is not a level: use one of ${LOG_LEVELS.join(", ")}.`);
  const paging = readPagingEnv(get, fail);
  const notify = readNotifyEnv(get, fail);
  const localConfig = path.resolve(cwd, "firebreak.yaml");
  const configPath =
    get("FIREBREAK_CONFIG") ?? (existsSync(localConfig) ? localConfig : BUNDLED_EXAMPLE_CONFIG);
  return {
    ...(slackBotToken ? { slackBotToken } : {}),
    ...(slackSigningSecret ? { slackSigningSecret } : {}),
    ...(slackAppToken ? { slackAppToken } : {}),
    ...(slackApiUrl ? { slackApiUrl } : {}),
    localMode: !slackBotToken,
    databaseUrl,
    redisUrl,
    port,
    host: get("HOST") ?? (slackBotToken ? "0.0.0.0" : "127.0.0.1"),
    configPath: path.resolve(cwd, configPath),
    commandsDir: path.resolve(cwd, get("FIREBREAK_COMMANDS_DIR") ?? "./commands"),
    ...(get("ALERTMANAGER_TOKEN") ? { alertmanagerToken: get("ALERTMANAGER_TOKEN") } : {}),
    ...(alertmanagerUrl ? { alertmanagerUrl } : {}),
    ...(webUser && webPassword ? { webCredentials: { user: webUser, password: webPassword } } : {}),
    ...(publicUrl ? { publicUrl } : {}),
    logLevel,
    paging,
    notify,
    secrets: env,
  };
}

function readPagingEnv(
  get: (name: string) => string | undefined,
  fail: (n: string, f: string) => never,
): PagingEnvOptions {
  const duration = (name: string, fallback: string): number => {
    const text = get(name) ?? fallback;
    try {
      return parseDuration(text);
    } catch {
      return fail(name, `"${text}" is not a duration: use forms like 30s, 15m, 3d.`);
    }
  };
  const redisPrefix = get("FIREBREAK_REDIS_PREFIX") ?? "firebreak";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisPrefix))
    fail("FIREBREAK_REDIS_PREFIX", "use letters, digits, '.', '_' or '-' (at most 64).");
  const url = get("FIREBREAK_PAGE_WEBHOOK_URL");
  const secret = get("FIREBREAK_PAGE_WEBHOOK_SECRET");
  if (url) checkUrl("FIREBREAK_PAGE_WEBHOOK_URL", url, ["http:", "https:"], fail);
  if (url && !secret)
    fail(
      "FIREBREAK_PAGE_WEBHOOK_SECRET",
      "is required with FIREBREAK_PAGE_WEBHOOK_URL (it signs each page).",
    );
  return {
    redisPrefix,
    ...(get("FIREBREAK_RECONCILE_INTERVAL")
      ? { reconcileIntervalMs: duration("FIREBREAK_RECONCILE_INTERVAL", "30s") }
      : {}),
    postmortemReminderMs: duration("FIREBREAK_POSTMORTEM_REMINDER", "3d"),
    ...(url && secret ? { webhook: { url, secret } } : {}),
    ...(secret ? { webhookSecret: secret } : {}),
  };
}

function readNotifyEnv(
  get: (name: string) => string | undefined,
  fail: (n: string, f: string) => never,
): NotifyEnvOptions {
  const publicUrl = get("FIREBREAK_PUBLIC_URL")?.replace(/\/+$/, "");
  if (publicUrl) checkUrl("FIREBREAK_PUBLIC_URL", publicUrl, ["https:", "http:"], fail);
  const smtpUrl = get("SMTP_URL");
  const from = get("FIREBREAK_EMAIL_FROM");
  if (smtpUrl) checkUrl("SMTP_URL", smtpUrl, ["smtp:", "smtps:"], fail);
  if (smtpUrl && !from)
    fail(
      "FIREBREAK_EMAIL_FROM",
      'is required with SMTP_URL: the sender of email pages, like "Firebreak <pages@example.com>".',
    );
  if (from && !smtpUrl)
    fail("SMTP_URL", "is required with FIREBREAK_EMAIL_FROM: like smtp://user:pass@mail.example:587.");
  if (from && !isEmailAddress(/<([^>]+)>\s*$/.exec(from)?.[1] ?? from))
    fail(
      "FIREBREAK_EMAIL_FROM",
      `"${from}" is not an address: use pages@example.com or "Firebreak <pages@example.com>".`,
    );
  const twilioNames = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"] as const;
  const [accountSid, authToken, twilioFrom] = twilioNames.map(get);
  const twilioApiUrl = get("TWILIO_API_URL");
  if (accountSid || authToken || twilioFrom || twilioApiUrl) {
    twilioNames.forEach((name, i) => {
      if (![accountSid, authToken, twilioFrom][i])
        fail(
          name,
          `is required for SMS and voice pages with ${twilioNames.filter((_, j) => j !== i).join(" and ")} (Twilio Console → Account Info).`,
        );
    });
    if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid!))
      fail(
        "TWILIO_ACCOUNT_SID",
        "must be an Account SID: AC followed by 32 hex digits (Twilio Console → Account Info).",
      );
    if (!isE164(twilioFrom!))
      fail(
        "TWILIO_FROM",
        `"${twilioFrom}" is not an E.164 number: use your Twilio number with + and the country code, like +14155550100.`,
      );
    if (twilioApiUrl) checkUrl("TWILIO_API_URL", twilioApiUrl, ["https:", "http:"], fail);
    if (!publicUrl)
      fail(
        "FIREBREAK_PUBLIC_URL",
        "is required with Twilio: calls fetch their script from it and every SMS reply is checked against it (like https://firebreak.example.com).",
      );
  }
  const ntfyUrl = get("NTFY_URL")?.replace(/\/+$/, "");
  const ntfyToken = get("NTFY_TOKEN");
  if (ntfyUrl) checkUrl("NTFY_URL", ntfyUrl, ["https:", "http:"], fail);
  if (ntfyToken && !ntfyUrl)
    fail("NTFY_URL", "is required with NTFY_TOKEN: the ntfy server, like https://ntfy.sh.");
  return {
    ...(publicUrl ? { publicUrl } : {}),
    ...(smtpUrl && from ? { email: { smtpUrl, from } } : {}),
    ...(accountSid && authToken && twilioFrom
      ? {
          twilio: {
            accountSid,
            authToken,
            from: twilioFrom,
            ...(twilioApiUrl ? { apiUrl: twilioApiUrl.replace(/\/+$/, "") } : {}),
          },
        }
      : {}),
    ...(ntfyUrl ? { ntfy: { url: ntfyUrl, ...(ntfyToken ? { token: ntfyToken } : {}) } } : {}),
  };
}

/**
 * Contact methods under `people:` whose provider is not configured in the environment,
 * one line each naming the method and the fix. Not fatal: their rules are skipped (shown in
 * `/oncall me` and in each page's `page.sent`), the other methods and the Slack DM go on.
 */
export function contactProviderWarnings(env: EnvOptions, config: FirebreakConfig): string[] {
  const out: string[] = [];
  for (const [type, where] of methodTypesInUse(config.people)) {
    const missing =
      type === "email" && !env.notify.email
        ? "set SMTP_URL and FIREBREAK_EMAIL_FROM"
        : (type === "sms" || type === "voice") && !env.notify.twilio
          ? "set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM and FIREBREAK_PUBLIC_URL"
          : type === "ntfy" && !env.notify.ntfy
            ? "set NTFY_URL (and NTFY_TOKEN if the topic needs it)"
            : type === "webhook" && !env.paging?.webhookSecret
              ? "set FIREBREAK_PAGE_WEBHOOK_SECRET (it signs every page webhook)"
              : undefined;
    if (missing)
      out.push(`${where}: a ${type} contact method has no provider, so it is not used: ${missing}.`);
  }
  return out;
}

function checkUrl(
  name: string,
  value: string,
  protocols: string[],
  fail: (n: string, f: string) => never,
): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(name, `is not a URL: use a form like ${protocols[0]}//host:port/…`);
  }
  if (!protocols.includes(url.protocol)) fail(name, `must start with ${protocols.join(" or ")}//`);
}

// Each feature owns its section's schema; this is the one place they meet.
const fileSchema = z.strictObject({
  ...incidentsSectionShape,
  ...alertsSectionShape,
  ...pagingSectionShape,
  ...peopleSectionShape,
  ...targetsSectionShape,
  ...jobsSectionShape,
  ...intakeSectionShape,
  ...reportsSectionShape,
});

/** firebreak.yaml, validated, with defaults filled in. */
export interface FirebreakConfig {
  timezone: string;
  slack: { announcementsChannel?: string; channelPrefix: string };
  roles: Record<Role, { users: string[]; usergroups: string[] }>;
  permissions: PermissionPolicy;
  severities: Record<Severity, SeverityPolicy>;
  alerts: AlertsConfig;
  /** Schedules, escalation policies and which policy each severity uses. */
  paging: PagingConfig;
  /** Each person's contact methods and notification rules (`people:`), by Slack user id. */
  people: PeopleConfig;
  /** Targets of catalog commands, secrets still named by their environment variables. */
  targets: TargetsConfig;
  /** How often each background job runs. */
  jobs: JobsConfig;
  /** Integrations (webhooks beyond Alertmanager), heartbeats and services, tokens still named by their variables. */
  intake: IntakeConfig;
  /** When and where the weekly report goes; undefined: no weekly report. */
  weeklyReport?: WeeklyReportConfig;
}

/** Parses firebreak.yaml text; throws config_invalid naming the first bad field and the fix. */
export function parseFirebreakConfig(text: string, source = "firebreak.yaml"): FirebreakConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new FirebreakError(
      "config_invalid",
      `${source}: not valid YAML (${(err as Error).message.split("\n")[0]}).`,
      { cause: err },
    );
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.length
      ? issue.path
          .map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`))
          .join("")
          .replace(/^\./, "")
      : "(top level)";
    throw new FirebreakError("config_invalid", `${source}: ${at}: ${issue.message}`, { cause: parsed.error });
  }
  const c = parsed.data;
  const paging: PagingConfig = {
    schedules: c.schedules,
    escalation_policies: c.escalation_policies,
    severity_policies: c.severity_policies,
  };
  const crossRefs = validatePagingConfig(paging);
  c.alerts.routes.forEach((r, i) => {
    if (
      r.escalation_policy &&
      !paging.escalation_policies[r.escalation_policy] &&
      r.escalation_policy !== "default"
    ) {
      crossRefs.push(
        `alerts.routes[${i}].escalation_policy: no escalation policy named "${r.escalation_policy}": add it under escalation_policies or fix the name`,
      );
    }
  });
  for (const ref of intakePolicyReferences(c))
    if (!paging.escalation_policies[ref.policy] && ref.policy !== "default")
      crossRefs.push(
        `${ref.where}: no escalation policy named "${ref.policy}": add it under escalation_policies or fix the name`,
      );
  if (crossRefs.length) throw new FirebreakError("config_invalid", `${source}: ${crossRefs[0]}`);
  const weeklyReport = buildWeeklyReportConfig(c.weekly_report);
  const members = (r: { users: string[]; usergroups: string[] } | undefined) => ({
    users: r?.users ?? [],
    usergroups: r?.usergroups ?? [],
  });
  return {
    timezone: c.timezone,
    slack: {
      ...(c.slack.announcements_channel ? { announcementsChannel: c.slack.announcements_channel } : {}),
      channelPrefix: c.slack.channel_prefix,
    },
    roles: {
      responder: members(c.roles.responder),
      commander: members(c.roles.commander),
      admin: members(c.roles.admin),
    },
    permissions: buildPermissionPolicy(c.permissions),
    severities: buildSeverityPolicies(c.severities),
    alerts: buildAlertsConfig(c.alerts),
    paging,
    people: c.people,
    targets: buildTargetsConfig(c.targets),
    jobs: buildJobsConfig(c.jobs),
    intake: buildIntakeConfig(c),
    ...(weeklyReport ? { weeklyReport } : {}),
  };
}

export function loadFirebreakConfig(configPath: string): FirebreakConfig {
  let text: string;
  try {
    text = readFileSync(configPath, "utf8");
  } catch (err) {
    throw new FirebreakError(
      "config_invalid",
      `FIREBREAK_CONFIG: cannot read ${configPath} (${(err as NodeJS.ErrnoException).code ?? "error"}): point it at your firebreak.yaml.`,
      { cause: err },
    );
  }
  return parseFirebreakConfig(text, path.basename(configPath));
}

/**
 * The command catalog (FIREBREAK_COMMANDS_DIR) checked against the built-in actions and the
 * targets, with the targets' secrets resolved from the environment, and the commands the
 * alert routes name checked against it (they can only be checked once both are loaded).
 * Throws config_invalid naming the file, field and fix, or the unset variable; bad routes
 * are listed one per line.
 */
export function loadCatalogSetup(
  env: EnvOptions,
  config: FirebreakConfig,
): { catalog: Catalog; targets: ResolvedTargets } {
  const targets = resolveTargets(config.targets, env.secrets);
  const actions = builtInActions();
  const catalog = loadCatalog(env.commandsDir, { targets, actions });
  const problems = routeCommandProblems(
    config.alerts.routes,
    catalog,
    { targets, actions },
    path.basename(env.configPath),
  );
  if (problems.length) throw new FirebreakError("config_invalid", problems.join("\n"));
  return { targets, catalog };
}
