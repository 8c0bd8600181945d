import type { FirebreakConfig } from "../../config.js";
import { SEVERITIES } from "../../core/incident/severity.js";
import { INPUT, VIEW } from "../ids.js";
import { option } from "./blocks.js";

const plain = (text: string) => ({ type: "plain_text", text, emoji: true });

/** The form behind `/incident declare` with no arguments. */
export function declareModal(config: FirebreakConfig, channelId: string) {
  return {
    type: "modal",
    callback_id: VIEW.declare,
    private_metadata: JSON.stringify({ channelId }),
    title: plain("Declare an incident"),
    submit: plain("Declare"),
    close: plain("Cancel"),
    blocks: [
      {
        type: "input",
        block_id: INPUT.title.block,
        label: plain("Title"),
        element: {
          type: "plain_text_input",
          action_id: INPUT.title.action,
          max_length: 200,
          placeholder: plain("Checkout returns 500s"),
        },
      },
      {
        type: "input",
        block_id: INPUT.severity.block,
        label: plain("Severity"),
        element: {
          type: "static_select",
          action_id: INPUT.severity.action,
          initial_option: option(`P2 — ${config.severities.P2.label}`, "P2"),
          options: SEVERITIES.map((s) => option(`${s} — ${config.severities[s].label}`, s)),
        },
      },
      // The service decides who is invited, which policy pages and where it is announced.
      ...(config.intake.services.length
        ? [
            {
              type: "input",
              block_id: INPUT.service.block,
              optional: true,
              label: plain("Service"),
              element: {
                type: "static_select",
                action_id: INPUT.service.action,
                placeholder: plain("Which service is affected?"),
                options: config.intake.services.slice(0, 100).map((s) => option(s.name, s.name)),
              },
            },
          ]
        : []),
      {
        type: "input",
        block_id: INPUT.description.block,
        optional: true,
        label: plain("What is happening?"),
        element: {
          type: "plain_text_input",
          action_id: INPUT.description.action,
          multiline: true,
          max_length: 2000,
        },
      },
    ],
  };
}

/** The form behind the Add note button. */
export function noteModal(incidentId: number) {
  return {
    type: "modal",
    callback_id: VIEW.note,
    private_metadata: JSON.stringify({ incidentId }),
    title: plain(`Note on #${incidentId}`),
    submit: plain("Add note"),
    close: plain("Cancel"),
    blocks: [
      {
        type: "input",
        block_id: INPUT.note.block,
        label: plain("Note"),
        element: {
          type: "plain_text_input",
          action_id: INPUT.note.action,
          multiline: true,
          max_length: 3000,
        },
      },
    ],
  };
}
