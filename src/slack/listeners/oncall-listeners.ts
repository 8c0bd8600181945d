import type { App } from "@slack/bolt";
import type { Logger } from "pino";
import type pg from "pg";
import { FirebreakError } from "../../core/errors.js";
import { decidePermission } from "../../core/incident/roles.js";
import type { RoleDirectory } from "../../incidents/ports.js";
import { withTransaction } from "../../store/pool.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../../store/timeline/timeline-events.js";
import { parseOncallCommand } from "../../core/oncall/parse-oncall-command.js";
import type { PagingContext } from "../../paging/context.js";
import { runOncallCommand } from "../../paging/oncall-command.js";
import { sendReply } from "../reply.js";
import { guarded } from "./guard.js";
import type { SlackTransport } from "../transport.js";
import { oncallReply } from "../views/oncall-reply.js";

/** What `/oncall` needs. */
export interface OncallListenerDeps extends Pick<PagingContext, "clock" | "config"> {
  pool: pg.Pool;
  slack: SlackTransport;
  log: Logger;
  roles: RoleDirectory;
  /** Paging, for `/oncall me` (providers to send codes and test pages). */
  paging: PagingContext;
}

/** `/oncall`: acks at once (bad input is answered in the ack), then answers ephemerally. */
export function registerOncallListeners(app: App, deps: OncallListenerDeps): void {
  const guardDeps = { pool: deps.pool, slack: deps.slack, log: deps.log };
  app.command("/oncall", async ({ command, ack, context }) => {
    let parsed;
    try {
      parsed = parseOncallCommand(command.text);
    } catch (err) {
      if (err instanceof FirebreakError)
        return void (await ack({ response_type: "ephemeral", text: `:warning: ${err.message}` }));
      throw err;
    }
    await ack();
    await guarded(guardDeps, { responseUrl: command.response_url, context, what: "/oncall" }, async () => {
      if (parsed.kind === "override" || parsed.kind === "override_remove") {
        const decision = decidePermission({
          permission: "oncall_override",
          policy: deps.config.permissions,
          userId: command.user_id,
          roles: await deps.roles.rolesOf(command.user_id),
        });
        if (!decision.allowed) {
          await withTransaction(deps.pool, (tx) =>
            appendTimelineEvent(tx, {
              incidentId: WORKSPACE_CHAIN,
              actor: command.user_id,
              kind: "command.refused",
              at: deps.clock.now(),
              data: { command: `oncall ${parsed.kind}`, via: "slash", reason: decision.reason },
            }),
          );
          return void (await sendReply(deps, command.response_url, {
            text: `:no_entry: ${decision.reason}`,
          }));
        }
      }
      const text = await runOncallCommand(deps.paging, parsed, command.user_id, command.trigger_id);
      await sendReply(deps, command.response_url, oncallReply(text));
    });
  });
}
