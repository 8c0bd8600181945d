import type { MethodArgs } from "../args.js";
import { optionalJson, optionalString, slackError } from "../args.js";
import { blockIssueExtras, blockIssues } from "../block-kit-limits.js";

/** Slack truncates nothing: longer top-level text is refused. */
export const MAX_MESSAGE_TEXT = 40_000;

/** What a message says, validated as Slack validates chat.postMessage and response_url bodies. */
export interface MessageContent {
  text: string | undefined;
  blocks: unknown[] | undefined;
  attachments: unknown[] | undefined;
}

/**
 * Reads `text`, `blocks` and `attachments`, refusing what Slack refuses:
 * `invalid_blocks_format`, `invalid_blocks` (Block Kit limits), `msg_too_long`, `no_text`.
 */
export function readMessageContent(args: MethodArgs, options: { requireSomething: boolean }): MessageContent {
  const text = optionalString(args, "text");
  const blocks = optionalJson(args, "blocks", "invalid_blocks_format");
  const attachments = optionalJson(args, "attachments", "invalid_attachments");
  if (blocks !== undefined) {
    if (!Array.isArray(blocks)) throw slackError("invalid_blocks_format");
    const issues = blockIssues(blocks, "message");
    if (issues.length > 0) throw slackError("invalid_blocks", blockIssueExtras(issues));
  }
  if (attachments !== undefined && !Array.isArray(attachments)) throw slackError("invalid_attachments");
  if (attachments !== undefined && attachments.length > 100) throw slackError("too_many_attachments");
  if (text !== undefined && text.length > MAX_MESSAGE_TEXT) throw slackError("msg_too_long");
  const hasBlocks = Array.isArray(blocks) && blocks.length > 0;
  const hasAttachments = Array.isArray(attachments) && attachments.length > 0;
  if (options.requireSomething && text === undefined && !hasBlocks && !hasAttachments) {
    throw slackError("no_text");
  }
  return {
    text,
    blocks: blocks as unknown[] | undefined,
    attachments: attachments as unknown[] | undefined,
  };
}
