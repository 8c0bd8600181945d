import { formatInTimeZone } from "../core/time-format.js";
import { inputInvalid } from "../core/errors.js";
import { formatDuration } from "../core/duration.js";
import { resolveOverrideWindow } from "../core/oncall/override-window.js";
import { ONCALL_HELP } from "../core/oncall/parse-oncall-command.js";
import type { OncallCommand } from "../core/oncall/parse-oncall-command.js";
import { resolveWhen } from "../core/oncall/when.js";
import { whoIsOnCall } from "../core/oncall/who-is-on-call.js";
import type { Schedule } from "../core/oncall/types.js";
import { mentionUser } from "../core/mrkdwn.js";
import { claimRequestKey } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import { currentOverrides, insertOverride, removeOverride } from "../store/oncall/overrides.js";
import { simulatePolicy } from "./simulate-policy.js";
import { runMeCommand } from "./contact-preferences.js";
import type { MeDeps } from "./contact-preferences.js";

/**
 * Runs one `/oncall` command for `userId`; the answer is mrkdwn for an ephemeral reply.
 * `requestKey` (the command's trigger id) adds an override once however often Slack delivers it.
 */
export async function runOncallCommand(
  ctx: MeDeps,
  command: OncallCommand,
  userId: string,
  requestKey?: string,
): Promise<string> {
  const now = ctx.clock.now();
  const schedules = ctx.config.paging.schedules;
  const stamp = (d: Date, zone: string) => formatInTimeZone(d, zone, "EEE d MMM HH:mm");
  const pickSchedule = (name: string | undefined): Schedule => {
    const known = Object.keys(schedules);
    if (name === undefined) {
      const only = known.length === 1 ? schedules[known[0]!] : undefined;
      if (only) return only;
      throw inputInvalid(
        known.length
          ? `Name the schedule (${known.join(", ")}), like \`/oncall override @alice 4h ${known[0]}\`.`
          : "No schedules are configured: add them under schedules in firebreak.yaml.",
      );
    }
    const s = schedules[name];
    if (!s)
      throw inputInvalid(
        `There is no schedule "${name}" (${known.length ? `schedules: ${known.join(", ")}` : "none are configured"}).`,
      );
    return s;
  };

  switch (command.kind) {
    case "help":
      return ONCALL_HELP;
    case "me":
      return runMeCommand(ctx, command.command, userId);
    case "who": {
      const list = command.schedule ? [pickSchedule(command.schedule)] : Object.values(schedules);
      if (list.length === 0)
        return "No schedules are configured: add them under `schedules` in firebreak.yaml.";
      const overrides = await currentOverrides(ctx.pool, new Date(now.getTime() - 86_400_000));
      return list
        .map((s) => {
          const at = command.at ? resolveWhen(command.at, now, s.timeZone) : now;
          const who = whoIsOnCall(s, at, overrides[s.name] ?? []);
          const when = command.at ? ` at ${stamp(at, s.timeZone)}` : "";
          if (who.users.length === 0)
            return `*${s.name}*${when}: nobody on call (until ${stamp(who.shiftEnd, s.timeZone)} ${s.timeZone})`;
          const source =
            who.source === "override"
              ? `override${who.overrideId ? ` ${who.overrideId}` : ""}`
              : `layer ${who.layer ?? ""}`;
          return `*${s.name}*${when}: ${who.users.map(mentionUser).join(", ")} until ${stamp(who.shiftEnd, s.timeZone)} ${s.timeZone} (${source})`;
        })
        .join("\n");
    }
    case "override": {
      const schedule = pickSchedule(command.schedule);
      const window = resolveOverrideWindow(command.window, now, schedule.timeZone);
      return withTransaction(ctx.pool, async (tx) => {
        if (requestKey && !(await claimRequestKey(tx, `override:${requestKey}`)))
          return "That override was already added (Slack delivered the command twice): `/oncall` shows it.";
        const o = await insertOverride(tx, {
          schedule: schedule.name,
          userId: command.userId,
          from: window.from,
          to: window.to,
          createdBy: userId,
          now,
        });
        await appendTimelineEvent(tx, {
          incidentId: WORKSPACE_CHAIN,
          actor: userId,
          kind: "oncall.override_added",
          at: now,
          data: {
            override: o.id,
            schedule: schedule.name,
            user: command.userId,
            from: o.from.toISOString(),
            to: o.to.toISOString(),
          },
        });
        return `Override ${o.id}: ${mentionUser(command.userId)} is on call for *${schedule.name}* until ${stamp(o.to, schedule.timeZone)} ${schedule.timeZone} (${formatDuration(o.to.getTime() - o.from.getTime())}). Undo with \`/oncall override remove ${o.id}\`.`;
      });
    }
    case "override_remove":
      return withTransaction(ctx.pool, async (tx) => {
        const o = await removeOverride(tx, command.id, userId, now);
        if (!o)
          throw inputInvalid(
            `There is no current override ${command.id}: the id is in the override's confirmation.`,
          );
        await appendTimelineEvent(tx, {
          incidentId: WORKSPACE_CHAIN,
          actor: userId,
          kind: "oncall.override_removed",
          at: now,
          data: { override: o.id, schedule: o.schedule, user: o.user },
        });
        return `Removed override ${o.id} (${mentionUser(o.user)} on *${o.schedule}*).`;
      });
    case "simulate": {
      const at = command.at ? resolveWhen(command.at, now, ctx.config.timezone) : now;
      const overrides = await currentOverrides(ctx.pool, new Date(at.getTime() - 86_400_000));
      return simulatePolicy(ctx.config.paging, command.target, at, overrides, {
        timeZone: ctx.config.timezone,
      }).join("\n");
    }
  }
}
