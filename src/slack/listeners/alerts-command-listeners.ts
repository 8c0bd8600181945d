import type { App } from "@slack/bolt";
import {
  endMaintenanceWindow,
  listMaintenanceWindows,
  openMaintenanceWindow,
} from "../../alerts/maintenance-windows.js";
import type { AlertIngestDeps } from "../../alerts/process-notification.js";
import { ALERTS_USAGE, parseAlertsCommand } from "../../core/alerts/maintenance.js";
import { FirebreakError } from "../../core/errors.js";
import { ACTION } from "../ids.js";
import { sendReply } from "../reply.js";
import { guarded } from "./guard.js";
import type { SlackTransport } from "../transport.js";
import { renderWindowList } from "../views/maintenance-message.js";

/**
 * `/alerts maintenance …`: acks at once (bad input is answered in the ack), then opens, ends
 * or lists maintenance windows and answers ephemerally.
 */
export function registerAlertsCommandListeners(
  app: App,
  deps: AlertIngestDeps & { slack: SlackTransport },
): void {
  const replyDeps = { pool: deps.incidents.pool, slack: deps.slack, log: deps.incidents.log };
  // A link button opens its URL in the browser; Slack still tells us of the click.
  app.action(new RegExp(`^${ACTION.link.replace(".", "\\.")}\\.\\d+$`), async ({ ack }) => {
    await ack();
  });
  app.command("/alerts", async ({ command, ack, context }) => {
    let parsed;
    try {
      parsed = parseAlertsCommand(command.text);
    } catch (err) {
      if (err instanceof FirebreakError)
        return void (await ack({ response_type: "ephemeral", text: `:warning: ${err.message}` }));
      throw err;
    }
    if (parsed.type === "help") return void (await ack({ response_type: "ephemeral", text: ALERTS_USAGE }));
    await ack();
    await guarded(replyDeps, { responseUrl: command.response_url, context, what: "/alerts" }, async () => {
      if (parsed.type === "maintenance_list") {
        const views = await listMaintenanceWindows(deps.incidents);
        return void (await sendReply(
          replyDeps,
          command.response_url,
          renderWindowList(views, deps.incidents.clock.now()),
        ));
      }
      const outcome =
        parsed.type === "maintenance_start"
          ? await openMaintenanceWindow(deps, {
              actor: command.user_id,
              matchers: parsed.matchers,
              durationMs: parsed.durationMs,
              reason: parsed.reason,
              via: "slash",
            })
          : await endMaintenanceWindow(deps, { actor: command.user_id, id: parsed.id, via: "slash" });
      const icon =
        outcome.status === "refused"
          ? ":no_entry:"
          : outcome.status === "changed"
            ? ":construction:"
            : ":information_source:";
      await sendReply(replyDeps, command.response_url, { text: `${icon} ${outcome.message}` });
    });
  });
}
