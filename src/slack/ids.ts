/** Slack action_ids and callback_ids: namespaced constants, matched exactly by listeners. */
export const ACTION = {
  ack: "incident.ack",
  resolve: "incident.resolve",
  severity: "incident.severity",
  addNote: "incident.add_note",
  checklist: "incident.checklist",
} as const;

export const VIEW = {
  declare: "incident.declare_modal",
  note: "incident.note_modal",
  resolve: "incident.resolve_modal",
} as const;

/** block_id/action_id pairs of modal inputs. */
export const INPUT = {
  title: { block: "title", action: "title" },
  severity: { block: "severity", action: "severity" },
  description: { block: "description", action: "description" },
  note: { block: "note", action: "note" },
  summary: { block: "summary", action: "summary" },
} as const;
