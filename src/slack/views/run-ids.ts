/** Slack action_ids and callback_ids of runs: namespaced constants, matched exactly by listeners. */
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
