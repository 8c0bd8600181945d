import { truncate } from "../../core/mrkdwn.js";

/** Block Kit limits (Slack refuses a message that exceeds them). */
export const LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  field: 2000,
  buttonValue: 2000,
  text: 3000,
  buttonText: 75,
} as const;

export type Block = Record<string, unknown>;

export const header = (text: string): Block => ({
  type: "header",
  text: { type: "plain_text", text: truncate(text, LIMITS.header), emoji: true },
});

export const section = (mrkdwn: string, accessory?: Block): Block => ({
  type: "section",
  text: { type: "mrkdwn", text: truncate(mrkdwn, LIMITS.section) },
  ...(accessory ? { accessory } : {}),
});

export const fields = (items: string[]): Block => ({
  type: "section",
  fields: items.slice(0, 10).map((t) => ({ type: "mrkdwn", text: truncate(t, LIMITS.field) })),
});

export const context = (mrkdwn: string): Block => ({
  type: "context",
  elements: [{ type: "mrkdwn", text: truncate(mrkdwn, LIMITS.text) }],
});

export const divider = (): Block => ({ type: "divider" });

export const button = (
  text: string,
  actionId: string,
  value: string,
  style?: "primary" | "danger",
): Block => ({
  type: "button",
  text: { type: "plain_text", text: truncate(text, LIMITS.buttonText), emoji: true },
  action_id: actionId,
  value: truncate(value, LIMITS.buttonValue),
  ...(style ? { style } : {}),
});

export const actions = (blockId: string, elements: Block[]): Block => ({
  type: "actions",
  block_id: blockId,
  elements,
});

export const option = (text: string, value: string) => ({
  text: { type: "plain_text", text, emoji: true },
  value,
});

/** Keeps a message within 50 blocks: the tail is replaced by a context line saying what was cut. */
export function capBlocks(blocks: Block[]): Block[] {
  if (blocks.length <= LIMITS.blocks) return blocks;
  const kept = blocks.slice(0, LIMITS.blocks - 1);
  return [...kept, context(`…${blocks.length - kept.length} more blocks not shown.`)];
}
