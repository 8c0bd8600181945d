import type { App, BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { FirebreakError } from "../../core/errors.js";
import { parseRunCommand } from "../../core/catalog/parse-run-command.js";
import { targetNames } from "../../config-schema/targets.js";
import { decideOnRun } from "../../runs/approve-run.js";
import type { RunDeps, RunResult } from "../../runs/deps.js";
import { recordUnparsedRun, requestRun } from "../../runs/request-run.js";
import { withTransaction } from "../../store/pool.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { sendReply } from "../reply.js";
import { guarded } from "./guard.js";
import type { SlackTransport } from "../transport.js";
import { renderCommandHelp, renderRunHelp, runParamsModal } from "../views/run-catalog.js";
import { RUN_ACTION, RUN_VIEW, runParamBlock } from "../ids.js";

export interface RunListenerDeps extends RunDeps {
  slack: SlackTransport;
}

const icon = (r: RunResult) =>
  r.status === "refused" ? ":no_entry: " : r.status === "unchanged" ? ":information_source: " : "";

/**
 * `/run`, Approve/Deny, the summary's command picker and its modal. Each listener acks
 * first, then calls one use-case, then replies; refusals are replied to the user only.
 */
export function registerRunListeners(app: App, deps: RunListenerDeps): void {
  const guardDeps = {
    pool: deps.pool,
    slack: deps.slack,
    log: deps.log,
    redact: (t: string) => deps.redactor.text(t),
  };
  app.command("/run", async ({ command, ack, context }) => {
    let parsed;
    try {
      parsed = parseRunCommand(command.text);
    } catch (err) {
      if (!(err instanceof FirebreakError)) throw err;
      await ack();
      await guarded(guardDeps, { responseUrl: command.response_url, context, what: "/run" }, async () => {
        const r = await recordUnparsedRun(deps, {
          actor: command.user_id,
          channelId: command.channel_id,
          text: command.text,
          reason: err.message,
        });
        await sendReply(deps, command.response_url, { text: `${icon(r)}${r.message}` });
      });
      return;
    }
    if (parsed.type === "help") {
      const commands = [...deps.catalog.commands.values()];
      const c = parsed.command ? deps.catalog.commands.get(parsed.command) : undefined;
      const reply = c
        ? renderCommandHelp(c, targetNames(deps.targets, c.targetType))
        : parsed.command
          ? { text: `:warning: There is no command \`${parsed.command}\`; \`/run help\` lists them.` }
          : renderRunHelp(commands);
      return void (await ack({ response_type: "ephemeral", ...reply }));
    }
    await ack();
    await guarded(guardDeps, { responseUrl: command.response_url, context, what: "/run" }, async () => {
      const r = await requestRun(deps, {
        command: parsed.command,
        params: parsed.params,
        actor: command.user_id,
        via: "slash",
        channelId: command.channel_id,
        responseUrl: command.response_url,
        requestKey: command.trigger_id,
      });
      await sendReply(deps, command.response_url, { text: `${icon(r)}${r.message}` }, r.incidentId);
    });
  });

  const onDecision = (actionId: string, decision: "approve" | "deny") =>
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, context }) => {
      await ack();
      const runId = /^[1-9]\d{0,15}$/.test(action.value ?? "") ? Number(action.value) : null;
      if (runId === null)
        return void (await sendReply(deps, body.response_url, {
          text: ":warning: That button is out of date.",
        }));
      await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/run" }, async () => {
        const r = await decideOnRun(deps, runId, body.user.id, decision, "button");
        // Success shows in the updated approval message; the clicker hears about refusals.
        if (r.status !== "accepted")
          await sendReply(deps, body.response_url, { text: `${icon(r)}${r.message}` }, r.incidentId);
      });
    });
  onDecision(RUN_ACTION.approve, "approve");
  onDecision(RUN_ACTION.deny, "deny");

  app.action<BlockAction<StaticSelectAction>>(RUN_ACTION.pick, async ({ ack, body, action, context }) => {
    await ack();
    const m = /^([1-9]\d{0,9}):([a-z0-9][a-z0-9._-]{0,79})$/.exec(action.selected_option.value);
    const command = m ? deps.catalog.commands.get(m[2]!) : undefined;
    if (!m || !command)
      return void (await sendReply(deps, body.response_url, {
        text: ":warning: That command is no longer in the catalog.",
      }));
    const incidentId = Number(m[1]);
    const channelId = body.channel?.id ?? "";
    const targets = targetNames(deps.targets, command.targetType);
    const needsInput = command.parameters.some(
      (p) => p.default === undefined && !p.optional && !(p.type === "target" && targets.length === 1),
    );
    await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/run" }, async () => {
      if (command.kind === "diagnostic" && !needsInput) {
        const r = await requestRun(deps, {
          command: command.name,
          params: {},
          actor: body.user.id,
          via: "button",
          incidentId,
          ...(body.response_url ? { responseUrl: body.response_url } : {}),
          requestKey: `pick:${body.trigger_id}`,
        });
        await sendReply(deps, body.response_url, { text: `${icon(r)}${r.message}` }, incidentId);
        return;
      }
      await deps.slack.call("views.open", {
        trigger_id: body.trigger_id,
        view: runParamsModal(command, targets, { incidentId, channelId }),
      });
    });
  });

  app.view(RUN_VIEW.modal, async ({ ack, body, view, context }) => {
    await ack();
    const meta = JSON.parse(view.private_metadata || "{}") as {
      command?: string;
      incidentId?: number;
      channelId?: string;
    };
    const command = meta.command ? deps.catalog.commands.get(meta.command) : undefined;
    if (!command || !meta.incidentId) return;
    const params: Record<string, string> = {};
    for (const p of command.parameters) {
      const v = view.state.values[runParamBlock(p.name)]?.value;
      const text = v?.selected_option?.value ?? v?.value ?? undefined;
      if (typeof text === "string" && text !== "") params[p.name] = text;
    }
    await guarded(guardDeps, { responseUrl: undefined, context, what: "the run form" }, async () => {
      const r = await requestRun(deps, {
        command: command.name,
        params,
        actor: body.user.id,
        via: "modal",
        incidentId: meta.incidentId,
        requestKey: view.id,
      });
      if (meta.channelId)
        await withTransaction(deps.pool, (tx) =>
          enqueueSlackCall(tx, {
            method: "chat.postEphemeral",
            args: { channel: meta.channelId, user: body.user.id, text: `${icon(r)}${r.message}` },
            channelKey: `channel:${meta.channelId}`,
            incidentId: r.incidentId ?? null,
          }),
        );
    });
  });
}
