/** Slack action_ids and callback_ids: namespaced constants, matched exactly by listeners. */
export const ACTION = {
  ack: "incident.ack",
  /** A bundled page DM's Acknowledge all (value: the incident ids, comma-separated). */
  ackAll: "incident.ack_all",
  resolve: "incident.resolve",
  severity: "incident.severity",
  addNote: "incident.add_note",
  checklist: "incident.checklist",
  /** The Silence control on an alert incident's summary. */
  silence: "alert.silence",
  /** Link buttons of an alert incident's summary (Grafana's dashboard, a generic event's links): `alert.link.<n>`. */
  link: "alert.link",
  /** A follow-up's Mark done / Reopen button (value `<incident>:<number>:done|undo`). */
  followUp: "incident.follow_up",
} as const;

/** action_ids and callback_ids of runs. */
export const RUN_ACTION = {
  approve: "run.approve",
  deny: "run.deny",
  pick: "run.pick",
} as const;

export const RUN_VIEW = {
  modal: "run.modal",
} as const;

/** block_id of a parameter's input in the run modal (the action_id is always `value`). */
export const runParamBlock = (name: string) => `param_${name}`;

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
  service: { block: "service", action: "service" },
  note: { block: "note", action: "note" },
  summary: { block: "summary", action: "summary" },
} as const;
