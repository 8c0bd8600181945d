import type { FirebreakConfig } from "../../config.js";
import { escapeMrkdwn, mentionUser } from "../../core/mrkdwn.js";
import { INCIDENT_USAGE } from "../../core/incident/parse-command.js";
import { humanDuration } from "../../core/duration.js";
import type { Outcome } from "../../incidents/deps.js";
import type { CommandResult } from "../../incidents/run-incident-command.js";
import type { Reply } from "../reply.js";
import { context, header, section } from "./blocks.js";
import { renderIncidentSummary } from "./incident-summary.js";
import { renderFollowUpList } from "./follow-up-message.js";
import { renderTimeline } from "./timeline-view.js";

/** A use-case outcome as one line: refusals and no-ops marked, a link to the channel when there is one. */
export function renderOutcome(outcome: Outcome): Reply {
  const icon =
    outcome.status === "refused"
      ? ":no_entry: "
      : outcome.status === "unchanged"
        ? ":information_source: "
        : "";
  const where =
    outcome.status === "changed" && outcome.incident?.channelId ? ` (<#${outcome.incident.channelId}>)` : "";
  return { text: `${icon}${outcome.message}${where}` };
}

/** Renders a command's result as the ephemeral reply the user sees. */
export function renderCommandResult(result: CommandResult, config: FirebreakConfig, now: Date): Reply | null {
  switch (result.type) {
    case "help":
      return {
        text: `*Firebreak — /incident*\n${INCIDENT_USAGE}`,
        blocks: [header("/incident"), section(INCIDENT_USAGE)],
      };
    case "error":
      return { text: `:warning: ${result.message}` };
    case "outcome":
      return renderOutcome(result.outcome);
    case "status":
      return renderIncidentSummary(result.incident, config, now);
    case "list": {
      const of = result.service ? ` of ${escapeMrkdwn(result.service)}` : "";
      if (!result.incidents.length) return { text: `No open incidents${of}. :tada:` };
      const lines = result.incidents.map(
        (i) =>
          `*#${i.id}* ${i.severity} ${escapeMrkdwn(i.title)} — ${i.state}, ${humanDuration(now.getTime() - i.declaredAt.getTime())} old${
            i.service && !result.service ? ` · ${escapeMrkdwn(i.service)}` : ""
          }${i.channelId ? ` · <#${i.channelId}>` : ""}${i.commander ? ` · ${mentionUser(i.commander)}` : ""}`,
      );
      return {
        text: `${result.incidents.length} open incidents${of}`,
        blocks: [
          header(`Open incidents${result.service ? ` of ${result.service}` : ""}`),
          section(lines.join("\n")),
          context("`/incident status #N` for details"),
        ],
      };
    }
    case "timeline":
      return renderTimeline(result.incidentId, result.events);
    case "followups":
      return renderFollowUpList(result.incidentId, result.followUps);
    case "open_declare_modal":
      return null;
  }
}
