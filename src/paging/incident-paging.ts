import { mentionUser } from "../core/mrkdwn.js";
import { whoIsOnCall } from "../core/oncall/who-is-on-call.js";
import type { Outcome } from "../incidents/deps.js";
import type { IncidentPaging } from "../incidents/ports.js";
import { claimRequestKey, lockIncident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import { appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { PagingContext } from "./context.js";
import {
  lockIncidentAndEscalation,
  nextAdHocNumber,
  setEscalationDue,
} from "../store/escalations/escalations.js";
import { currentOverrides } from "../store/oncall/overrides.js";
import { sendPages } from "./page-delivery.js";
import { escalationJob } from "./process-escalation.js";
import { announceTimer } from "./timer-job.js";
import { holdEscalation, releaseHold, stopHeldEscalation } from "./escalation-hold.js";

const ALREADY_HANDLED =
  "That command was already carried out (Slack delivered it twice): nothing new was sent.";

/** `/incident escalate` and `/incident page`, each one transaction under the incident's lock. */
export function incidentPaging(ctx: PagingContext): IncidentPaging {
  return {
    escalateNow: (incidentId, actor, requestKey) =>
      withTransaction(ctx.pool, async (tx): Promise<Outcome> => {
        const { incident, escalation: esc } = await lockIncidentAndEscalation(tx, incidentId);
        if (!incident) return { status: "refused", message: `There is no incident #${incidentId}.` };
        if (!esc || esc.status !== "active") {
          const why =
            incident.state !== "declared"
              ? `it is ${incident.state}`
              : esc?.status === "exhausted"
                ? "its escalation policy has run out"
                : "no escalation policy applies to it";
          return {
            status: "refused",
            message: `Incident #${incidentId} is not escalating (${why}). Page someone with \`/incident page @user\`.`,
            incident,
          };
        }
        if (esc.skipToNext)
          return { status: "unchanged", message: "Escalating to the next step already.", incident };
        if (requestKey && !(await claimRequestKey(tx, `escalate:${requestKey}`)))
          return { status: "unchanged", message: ALREADY_HANDLED, incident };
        const now = ctx.clock.now();
        // A person asked: a hold on paging (a self-heal's chance) ends here.
        if (esc.heldUntil) await releaseHold(tx, ctx, incident, `${mentionUser(actor)} escalated`, actor);
        await setEscalationDue(tx, incidentId, now, { skipToNext: true, now });
        await appendTimelineEvent(tx, {
          incidentId,
          actor,
          kind: "escalation.escalated",
          at: now,
          data: { from_step: esc.currentStep, from_repeat: esc.currentRepeat, run: esc.run },
        });
        const message = `:arrow_double_up: ${mentionUser(actor)} escalated incident #${incidentId} to the next step.`;
        await ctx.notifier.post(tx, incident, { text: message });
        await announceTimer(tx, escalationJob(esc, now));
        return { status: "changed", message, incident };
      }),

    holdEscalation: (tx, incidentId, hold) => holdEscalation(tx, ctx, incidentId, hold),
    releaseEscalationHold: async (tx, incident, why) => (await releaseHold(tx, ctx, incident, why)) !== null,
    stopHeldEscalation: (tx, incidentId, reason, actor) =>
      stopHeldEscalation(tx, ctx, incidentId, reason, actor),

    async pageAdHoc(incidentId, actor, target, requestKey) {
      const now = ctx.clock.now();
      let userIds: string[];
      if (target.kind === "user") userIds = [target.userId];
      else {
        const schedule = ctx.config.paging.schedules[target.schedule];
        if (!schedule) {
          const known = Object.keys(ctx.config.paging.schedules);
          return {
            status: "refused",
            message: `There is no schedule "${target.schedule}" (${known.length ? `schedules: ${known.join(", ")}` : "none are configured"}).`,
          };
        }
        const overrides = (await currentOverrides(ctx.pool, now))[target.schedule] ?? [];
        userIds = whoIsOnCall(schedule, now, overrides).users;
        if (userIds.length === 0)
          return {
            status: "refused",
            message: `Nobody is on call in "${target.schedule}" right now: page a person with \`/incident page @user\`.`,
          };
      }
      return withTransaction(ctx.pool, async (tx): Promise<Outcome> => {
        const incident = await lockIncident(tx, incidentId);
        if (!incident) return { status: "refused", message: `There is no incident #${incidentId}.` };
        if (incident.state === "resolved")
          return {
            status: "refused",
            message: "The incident is resolved; reopen it before paging.",
            incident,
          };
        if (requestKey && !(await claimRequestKey(tx, `page:${requestKey}`)))
          return { status: "unchanged", message: ALREADY_HANDLED, incident };
        const n = await nextAdHocNumber(tx, incidentId);
        await appendTimelineEvent(tx, {
          incidentId,
          actor,
          kind: "page.requested",
          at: now,
          data: {
            target: target.kind === "user" ? { user: target.userId } : { schedule: target.schedule },
            users: userIds,
          },
        });
        const sent = await sendPages(tx, ctx, incident, {
          run: 0,
          step: -1,
          repeat: n,
          userIds,
          cause: { kind: "adhoc", by: actor },
          actor,
          dueAt: now,
          now,
        });
        return {
          status: "changed",
          message: `Paged ${sent.map((p) => mentionUser(p.userId)).join(", ")}.`,
          incident,
        };
      });
    },
  };
}
