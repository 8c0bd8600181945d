import type { App, BlockAction, StaticSelectAction } from "@slack/bolt";
import { FirebreakError } from "../../core/errors.js";
import type { SilenceDeps } from "../../alerts/silence-alert-group.js";
import { silenceAlertGroup } from "../../alerts/silence-alert-group.js";
import { UNAVAILABLE_REPLY, sendReply } from "../reply.js";
import type { SlackTransport } from "../transport.js";
import { ACTION } from "../ids.js";

/**
 * The Silence control on alert incidents' summaries. Acks at once (Alertmanager may take a
 * moment), then silences; success shows in the channel and the summary, and the clicker
 * hears only about refusals and failures.
 */
export function registerAlertListeners(app: App, deps: SilenceDeps & { slack: SlackTransport }): void {
  const replyDeps = { pool: deps.incidents.pool, slack: deps.slack, log: deps.incidents.log };
  app.action<BlockAction<StaticSelectAction>>(ACTION.silence, async ({ ack, body, action }) => {
    await ack();
    const match = /^([1-9]\d{0,9}):(.{1,40})$/.exec(action.selected_option?.value ?? "");
    if (!match)
      return void (await sendReply(replyDeps, body.response_url, {
        text: ":warning: That control is out of date; use `/incident status`.",
      }));
    const incidentId = Number(match[1]);
    try {
      const outcome = await silenceAlertGroup(deps, {
        incidentId,
        userId: body.user.id,
        duration: match[2]!,
      });
      if (outcome.status !== "changed")
        await sendReply(
          replyDeps,
          body.response_url,
          { text: `:information_source: ${outcome.message}` },
          incidentId,
        );
    } catch (err) {
      deps.incidents.log.error({ err, incidentId }, "silencing an alert group failed");
      const fe = err instanceof FirebreakError ? err : null;
      await sendReply(
        replyDeps,
        body.response_url,
        fe && fe.code !== "internal"
          ? { text: `:warning: Could not silence: ${fe.message}` }
          : UNAVAILABLE_REPLY,
        incidentId,
      );
    }
  });
}
