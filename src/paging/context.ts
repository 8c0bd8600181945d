import type pg from "pg";
import type { Logger } from "pino";
import type { FirebreakConfig } from "../config.js";
import type { EnvOptions } from "../config.js";
import type { JobsConfig } from "../config-schema/jobs.js";
import type { Clock, PageProviders, UserGroupDirectory } from "../core/ports.js";
import type { IncidentNotifier } from "../incidents/ports.js";
import type { Metrics } from "../metrics.js";
import type { PageNotifier } from "./ports.js";

/** How paging behaves, from the environment (see PagingEnvOptions in config.ts). */
export interface PagingSettings {
  /** BullMQ keys live under this prefix (the database name is appended by the feature). */
  redisPrefix: string;
  /** How often due and missing timers are rebuilt from Postgres. */
  reconcileIntervalMs: number;
  /** After resolve, when the commander is reminded of the postmortem. */
  postmortemReminderMs: number;
  /** The outbound page webhook; unset: Slack pages only. */
  webhook?: { url: string; secret: string };
  /** Webhook attempts before a page is dead-lettered. */
  webhookMaxAttempts: number;
  /** First retry delay; doubled on each further failure (capped at 10 minutes). */
  webhookBackoffMs: number;
  /** How long one webhook request may take. */
  webhookTimeoutMs: number;
  /** FIREBREAK_PAGE_WEBHOOK_SECRET: signs pages to webhook contact methods too. */
  webhookSecret?: string;
  /** FIREBREAK_PUBLIC_URL: ack links, the voice script, Twilio callbacks, calendar feeds. */
  publicUrl?: string;
  /** How long a page's ack code and links stay good. */
  ackTtlMs: number;
  /**
   * How long a delivery claimed by a worker is left to it: past this the worker is presumed
   * dead, and the provider is asked whether it took the message before anyone sends again.
   */
  attemptLeaseMs: number;
  /** How long before a shift starts its handoff DM goes. */
  handoffLeadMs: number;
}

export const DEFAULT_PAGING_SETTINGS: PagingSettings = {
  redisPrefix: "firebreak",
  reconcileIntervalMs: 30_000,
  postmortemReminderMs: 3 * 86_400_000,
  webhookMaxAttempts: 6,
  webhookBackoffMs: 2_000,
  webhookTimeoutMs: 10_000,
  ackTtlMs: 24 * 3_600_000,
  attemptLeaseMs: 60_000,
  handoffLeadMs: 15 * 60_000,
};

/**
 * Paging's settings from the environment, with the defaults for what it leaves out; the
 * reconcile interval from FIREBREAK_RECONCILE_INTERVAL, else firebreak.yaml's `jobs.reconcile`.
 */
export function pagingSettings(
  env: Pick<EnvOptions, "paging"> & Partial<Pick<EnvOptions, "notify">>,
  jobs: Pick<JobsConfig, "reconcileMs">,
): PagingSettings {
  return {
    ...DEFAULT_PAGING_SETTINGS,
    ...(env.paging ?? {}),
    reconcileIntervalMs: env.paging?.reconcileIntervalMs ?? jobs.reconcileMs,
    ...(env.notify?.publicUrl ? { publicUrl: env.notify.publicUrl } : {}),
  };
}

/** What the paging engine needs, injected. */
export interface PagingContext {
  pool: pg.Pool;
  clock: Clock;
  config: FirebreakConfig;
  log: Logger;
  settings: PagingSettings;
  /** Members of the user groups a policy pages. */
  usergroups: UserGroupDirectory;
  /** The incident channel and summary. */
  notifier: IncidentNotifier;
  /** The pages themselves (DMs) and the channel's "paging …" line. */
  pages: PageNotifier;
  /** Email, SMS, voice, push and webhook providers (providers/), by contact method type. */
  providers: PageProviders;
  metrics?: Metrics;
  /**
   * Called in the escalation transaction after the pages are claimed and queued, before
   * commit. Tests throw here to stand for a worker killed between choosing and sending.
   */
  beforeCommit?: (incidentId: number) => Promise<void>;
}

/** The actor recorded for what the engine does on its own. */
export const ENGINE_ACTOR = "firebreak";
