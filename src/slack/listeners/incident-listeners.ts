import type { App, BlockAction, ButtonAction, StaticSelectAction } from "@slack/bolt";
import { FirebreakError } from "../../core/errors.js";
import { parseIncidentCommand } from "../../core/incident/parse-command.js";
import { isSeverity } from "../../core/incident/severity.js";
import { applyIncidentChange } from "../../incidents/apply-incident-command.js";
import type { IncidentChangeRequest } from "../../incidents/apply-incident-command.js";
import { declareIncident } from "../../incidents/declare-incident.js";
import { serviceDeclaration } from "../../incidents/service-declaration.js";
import { serviceNamed } from "../../core/alerts/services.js";
import type { IncidentDeps } from "../../incidents/deps.js";
import { setFollowUpState } from "../../incidents/follow-ups.js";
import { runIncidentCommand } from "../../incidents/run-incident-command.js";
import { parseReportWeek } from "../../core/insights/report-week.js";
import { composeWeeklyReport, insightsUrl } from "../../insights/weekly-report.js";
import type { WeeklyReportDeps } from "../../insights/weekly-report.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { withTransaction } from "../../store/pool.js";
import { ACTION, INPUT, VIEW } from "../ids.js";
import { sendReply } from "../reply.js";
import { guarded } from "./guard.js";
import type { SlackTransport } from "../transport.js";
import { renderCommandResult, renderOutcome } from "../views/command-results.js";
import { declareModal, noteModal } from "../views/modals.js";
import { renderWeeklyReport } from "../views/weekly-report.js";

export interface ListenerDeps extends IncidentDeps {
  slack: SlackTransport;
  /** `/incident report [week]`: the weekly report on demand. */
  reports: Pick<WeeklyReportDeps, "pool" | "people" | "timeZone" | "publicUrl">;
}

/**
 * `/incident`, the summary's buttons and the modals. Each listener acks first (Slack
 * gives us 3 seconds), then runs one use-case, then renders the reply.
 */
export function registerIncidentListeners(app: App, deps: ListenerDeps): void {
  const guardDeps = { pool: deps.pool, slack: deps.slack, log: deps.log };
  app.command("/incident", async ({ command, ack, context }) => {
    let parsed;
    try {
      parsed = parseIncidentCommand(command.text);
    } catch (err) {
      // Bad input is answered in the ack itself: immediate, and nothing is touched.
      if (err instanceof FirebreakError)
        return void (await ack({ response_type: "ephemeral", text: `:warning: ${err.message}` }));
      throw err;
    }
    if (parsed.type === "help")
      return void (await ack({
        response_type: "ephemeral",
        ...renderCommandResult({ type: "help" }, deps.config, deps.clock.now())!,
      }));
    if (parsed.type === "report") {
      const week = parseReportWeek(parsed.week, deps.clock.now(), deps.reports.timeZone);
      if (!week.ok)
        return void (await ack({ response_type: "ephemeral", text: `:warning: ${week.message}` }));
      await ack();
      await guarded(
        guardDeps,
        { responseUrl: command.response_url, context, what: "/incident" },
        async () => {
          const report = await composeWeeklyReport(deps.reports, week.week);
          await sendReply(
            deps,
            command.response_url,
            renderWeeklyReport(report, insightsUrl(deps.reports, week.week)),
          );
        },
      );
      return;
    }
    await ack();
    await guarded(guardDeps, { responseUrl: command.response_url, context, what: "/incident" }, async () => {
      const result = await runIncidentCommand(deps, {
        command: parsed,
        userId: command.user_id,
        channelId: command.channel_id,
        triggerId: command.trigger_id,
      });
      if (result.type === "open_declare_modal") {
        await deps.slack.call("views.open", {
          trigger_id: command.trigger_id,
          view: declareModal(deps.config, command.channel_id),
        });
        return;
      }
      const reply = renderCommandResult(result, deps.config, deps.clock.now());
      if (reply)
        await sendReply(
          deps,
          command.response_url,
          reply,
          result.type === "outcome" ? result.outcome.incident?.id : undefined,
        );
    });
  });

  const onButton = (
    actionId: string,
    toRequest: (value: string) => { incidentId: number; request: IncidentChangeRequest } | null,
  ) =>
    app.action<BlockAction<ButtonAction | StaticSelectAction>>(
      actionId,
      async ({ ack, body, action, context }) => {
        await ack();
        const value = action.type === "static_select" ? action.selected_option.value : (action.value ?? "");
        const parsed = toRequest(value);
        if (!parsed)
          return void (await sendReply(deps, body.response_url, {
            text: ":warning: That button is out of date; use `/incident status`.",
          }));
        await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/incident" }, async () => {
          const outcome = await applyIncidentChange(
            deps,
            parsed.incidentId,
            body.user.id,
            parsed.request,
            "button",
          );
          // Success shows in the channel and the summary; the clicker hears only about refusals.
          if (outcome.status !== "changed")
            await sendReply(deps, body.response_url, renderOutcome(outcome), parsed.incidentId);
        });
      },
    );

  onButton(ACTION.ack, (v) => (isId(v) ? { incidentId: Number(v), request: { type: "ack" } } : null));
  // A bundled page DM's Acknowledge all: each incident acknowledged as its own button would.
  app.action<BlockAction<ButtonAction>>(ACTION.ackAll, async ({ ack, body, action, context }) => {
    await ack();
    const ids = (action.value ?? "").split(",");
    if (ids.length === 0 || ids.length > 500 || !ids.every(isId))
      return void (await sendReply(deps, body.response_url, {
        text: ":warning: That button is out of date; use `/incident list` and acknowledge each incident.",
      }));
    await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/incident" }, async () => {
      const answers: string[] = [];
      for (const id of ids) {
        const outcome = await applyIncidentChange(deps, Number(id), body.user.id, { type: "ack" }, "button");
        if (outcome.status !== "changed") answers.push(renderOutcome(outcome).text);
      }
      // Acknowledgements show in each incident; the clicker hears only about the rest.
      if (answers.length) await sendReply(deps, body.response_url, { text: answers.join("\n") });
    });
  });
  onButton(ACTION.resolve, (v) => (isId(v) ? { incidentId: Number(v), request: { type: "resolve" } } : null));
  onButton(ACTION.severity, (v) => {
    const [id, sev] = v.split(":");
    return id && isId(id) && sev && isSeverity(sev)
      ? { incidentId: Number(id), request: { type: "severity", severity: sev } }
      : null;
  });
  onButton(ACTION.checklist, (v) => {
    const [id, item, op] = v.split(":");
    return id && isId(id) && item && isId(item) && (op === "done" || op === "undo")
      ? { incidentId: Number(id), request: { type: "checklist", itemId: Number(item), done: op === "done" } }
      : null;
  });

  app.action<BlockAction<ButtonAction>>(ACTION.followUp, async ({ ack, body, action, context }) => {
    await ack();
    const [id, number, op] = (action.value ?? "").split(":");
    if (!id || !isId(id) || !number || !isId(number) || (op !== "done" && op !== "undo"))
      return void (await sendReply(deps, body.response_url, {
        text: ":warning: That button is out of date; use `/incident followups`.",
      }));
    await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/incident" }, async () => {
      const outcome = await setFollowUpState(deps, {
        incidentId: Number(id),
        number: Number(number),
        actor: body.user.id,
        done: op === "done",
        via: "button",
      });
      // A tick shows in the edited message; the clicker hears only about refusals and no-ops.
      if (outcome.status !== "changed")
        await sendReply(
          deps,
          body.response_url,
          {
            text: `${outcome.status === "refused" ? ":no_entry: " : ":information_source: "}${outcome.message}`,
          },
          Number(id),
        );
    });
  });

  app.action<BlockAction<ButtonAction>>(ACTION.addNote, async ({ ack, body, action, context }) => {
    await ack();
    if (!isId(action.value ?? "")) return;
    await guarded(guardDeps, { responseUrl: body.response_url, context, what: "/incident" }, () =>
      deps.slack.call("views.open", { trigger_id: body.trigger_id, view: noteModal(Number(action.value)) }),
    );
  });

  app.view(VIEW.declare, async ({ ack, body, view, context }) => {
    const v = view.state.values;
    const title = v[INPUT.title.block]?.[INPUT.title.action]?.value?.trim() ?? "";
    const severity = v[INPUT.severity.block]?.[INPUT.severity.action]?.selected_option?.value ?? "P2";
    if (!title)
      return void (await ack({
        response_action: "errors",
        errors: { [INPUT.title.block]: "Give the incident a title." },
      }));
    if (!isSeverity(severity))
      return void (await ack({
        response_action: "errors",
        errors: { [INPUT.severity.block]: "Pick P0–P3." },
      }));
    await ack();
    const description = v[INPUT.description.block]?.[INPUT.description.action]?.value ?? "";
    const serviceName = v[INPUT.service.block]?.[INPUT.service.action]?.selected_option?.value;
    const service = serviceName ? serviceNamed(serviceName, deps.config.intake.services) : undefined;
    // A form has no response_url: a deferred declaration is applied by the replayer silently.
    await guarded(guardDeps, { responseUrl: undefined, context, what: "the declare form" }, async () => {
      const outcome = await declareIncident(deps, {
        title,
        severity,
        description,
        ...(service ? await serviceDeclaration(deps, service) : {}),
        actor: body.user.id,
        via: "modal",
        requestKey: view.id,
      });
      const channelId = (JSON.parse(view.private_metadata || "{}") as { channelId?: string }).channelId;
      if (channelId) {
        await withTransaction(deps.pool, (tx) =>
          enqueueSlackCall(tx, {
            method: "chat.postEphemeral",
            args: { channel: channelId, user: body.user.id, text: renderOutcome(outcome).text },
            channelKey: `channel:${channelId}`,
            incidentId: outcome.incident?.id ?? null,
          }),
        );
      }
    });
  });

  app.view(VIEW.note, async ({ ack, body, view, context }) => {
    const text = view.state.values[INPUT.note.block]?.[INPUT.note.action]?.value?.trim() ?? "";
    if (!text)
      return void (await ack({
        response_action: "errors",
        errors: { [INPUT.note.block]: "Write the note first." },
      }));
    await ack();
    const { incidentId } = JSON.parse(view.private_metadata || "{}") as { incidentId?: number };
    if (incidentId)
      await guarded(guardDeps, { responseUrl: undefined, context, what: "the note form" }, () =>
        applyIncidentChange(
          deps,
          incidentId,
          body.user.id,
          { type: "note", text, requestKey: view.id },
          "modal",
        ),
      );
  });
}

const isId = (v: string) => /^[1-9]\d{0,9}$/.test(v);
