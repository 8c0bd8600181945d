import type { FeatureFactory, ModuleContext } from "../feature-module.js";
import { createPagingQueue } from "../jobs/timer-queue.js";
import { PagingScheduler } from "../jobs/timer-scheduler.js";
import { registerOncallListeners } from "../slack/listeners/oncall-listeners.js";
import type { OutboxHandler } from "../slack/outbox-drainer.js";
import type { SlackTransport } from "../slack/slack-transport.js";
import { escalationSummaryBlocks } from "../slack/views/page-summary.js";
import { getIncident } from "../store/incidents/incidents.js";
import { getEscalation } from "../store/escalations/escalations.js";
import { DEFAULT_PAGING_SETTINGS } from "./context.js";
import type { PagingContext, PagingSettings, UsergroupMembers } from "./context.js";
import { incidentPagingCommands, withPagingCommands } from "./incident-paging-commands.js";
import { CHANNEL_MENTION_KIND, PAGE_DM_KIND, pageDmHandler } from "./page-delivery.js";
import { pagingObserver } from "./paging-observer.js";

/** Paging's settings from the environment, with the defaults for what it leaves out. */
export function pagingSettings(env: ModuleContext["env"]): PagingSettings {
  return { ...DEFAULT_PAGING_SETTINGS, ...(env.paging ?? {}) };
}

/** BullMQ keys: the configured prefix plus the database name, so installs sharing a Redis stay apart. */
export function pagingRedisPrefix(settings: PagingSettings, databaseUrl: string): string {
  const db = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, "")) || "firebreak";
  return `${settings.redisPrefix}:${db.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
}

const GROUP_TTL_MS = 5 * 60_000;

/** Usergroup members from Slack, cached; on failure the last known, else an error (the timer retries). */
export function slackUsergroupMembers(slack: SlackTransport, now: () => number = Date.now): UsergroupMembers {
  const cache = new Map<string, { members: string[]; at: number }>();
  return async (ids) => {
    const out: Record<string, string[]> = {};
    for (const id of ids) {
      const hit = cache.get(id);
      if (hit && now() - hit.at < GROUP_TTL_MS) {
        out[id] = hit.members;
        continue;
      }
      try {
        const res = await slack.call("usergroups.users.list", { usergroup: id });
        const members = (res.users as string[] | undefined) ?? [];
        cache.set(id, { members, at: now() });
        out[id] = members;
      } catch (err) {
        if (!hit) throw err;
        out[id] = hit.members;
      }
    }
    return out;
  };
}

/** The channel mention of a page goes to the incident channel as it is at send time. */
const channelMentionHandler: OutboxHandler = {
  async render(row, tx) {
    if (row.incidentId === null) return null;
    const incident = await getIncident(tx, row.incidentId);
    if (!incident?.channelId) return null;
    return { ...row.args, channel: incident.channelId };
  },
};

/**
 * Escalation paging, incident timers and `/oncall`: observes incident changes (start and
 * stop in the same transaction), runs the timers in worker processes, and registers `/oncall`.
 */
export const pagingFeature: FeatureFactory = (mc) => {
  const settings = pagingSettings(mc.env);
  const ctx: PagingContext = {
    pool: mc.pool,
    clock: mc.clock,
    config: mc.config,
    log: mc.log.child({ component: "paging" }),
    settings,
    usergroupMembers: slackUsergroupMembers(mc.slack),
    metrics: mc.metrics,
  };
  const observer = withPagingCommands(pagingObserver(ctx), incidentPagingCommands(ctx));
  let scheduler: PagingScheduler | null = null;
  return {
    name: "paging",
    observers: [observer],
    outboxHandlers: new Map([
      [CHANNEL_MENTION_KIND, channelMentionHandler],
      [PAGE_DM_KIND, pageDmHandler(mc.clock)],
    ]),
    async summaryBlocks(tx, incident) {
      const esc = await getEscalation(tx, incident.id);
      if (!esc) return [];
      return escalationSummaryBlocks(
        {
          status: esc.status,
          policy: esc.policyName,
          stopReason: esc.stopReason,
          step: esc.currentStep,
          steps: esc.snapshot?.steps.length ?? 0,
          repeat: esc.currentRepeat,
          rounds: (esc.snapshot?.repeat ?? 0) + 1,
          nextDueAt: esc.nextDueAt,
        },
        mc.config.timezone,
      );
    },
    registerSlack(app) {
      registerOncallListeners(app, {
        pool: mc.pool,
        clock: mc.clock,
        config: mc.config,
        roles: mc.incidents.roles,
        slack: mc.slack,
        log: ctx.log,
      });
    },
    async startWorker() {
      const queue = createPagingQueue({
        redisUrl: mc.env.redisUrl,
        prefix: pagingRedisPrefix(settings, mc.env.databaseUrl),
        log: ctx.log,
      });
      scheduler = new PagingScheduler({
        ctx,
        queue,
        databaseUrl: mc.env.databaseUrl,
        clock: mc.clock,
        log: ctx.log,
      });
      await scheduler.start();
    },
    async stop() {
      await scheduler?.stop();
      scheduler = null;
    },
  };
};
