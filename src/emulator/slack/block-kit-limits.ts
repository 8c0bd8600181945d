import { isRecord } from "./args.js";

/** One violation, worded and located (JSON pointer) the way Slack reports it. */
export interface BlockIssue {
  message: string;
  pointer: string;
}

/** Where the blocks are going: Slack allows 50 in a message, 100 in a modal or Home tab. */
export type BlockSurface = "message" | "modal";

const BLOCK_TYPES = new Set([
  "section",
  "header",
  "divider",
  "image",
  "context",
  "actions",
  "input",
  "rich_text",
  "file",
  "video",
  "markdown",
  "context_actions",
  "table",
]);

const MAX_ID = 255;

/** Checks blocks against Block Kit's limits; an empty list means Slack would accept them. */
export function blockIssues(blocks: unknown, surface: BlockSurface, base = "/blocks"): BlockIssue[] {
  const issues: BlockIssue[] = [];
  const issue = (message: string, pointer: string) => issues.push({ message, pointer });
  if (!Array.isArray(blocks)) {
    issue("must provide an array", base);
    return issues;
  }
  const max = surface === "message" ? 50 : 100;
  if (blocks.length > max) issue(`no more than ${max} items allowed`, base);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `${base}/${index}`;
    if (!isRecord(block)) return issue("must provide an object", at);
    if (typeof block.type !== "string" || !BLOCK_TYPES.has(block.type)) {
      return issue(`unsupported type: ${String(block.type)}`, `${at}/type`);
    }
    if (block.block_id !== undefined) {
      if (typeof block.block_id !== "string" || block.block_id.length === 0) {
        issue("must be a non-empty string", `${at}/block_id`);
      } else if (block.block_id.length > MAX_ID) {
        issue(`must be less than ${MAX_ID + 1} characters`, `${at}/block_id`);
      } else if (blockIds.has(block.block_id)) {
        issue(`duplicate block_id: ${block.block_id}`, `${at}/block_id`);
      } else {
        blockIds.add(block.block_id);
      }
    }
    checkBlock(block, at, issue);
  });
  return issues;
}

type Report = (message: string, pointer: string) => void;

function checkBlock(block: Record<string, unknown>, at: string, issue: Report): void {
  switch (block.type) {
    case "header":
      checkText(block.text, `${at}/text`, 150, issue, { plainOnly: true });
      break;
    case "section": {
      if (block.text === undefined && block.fields === undefined) {
        issue("must provide either text or fields", at);
      }
      if (block.text !== undefined) checkText(block.text, `${at}/text`, 3000, issue);
      if (block.fields !== undefined) {
        if (!Array.isArray(block.fields)) issue("must provide an array", `${at}/fields`);
        else {
          if (block.fields.length > 10) issue("no more than 10 items allowed", `${at}/fields`);
          block.fields.forEach((f, i) => checkText(f, `${at}/fields/${i}`, 2000, issue));
        }
      }
      if (block.accessory !== undefined) checkElement(block.accessory, `${at}/accessory`, issue);
      break;
    }
    case "context":
      if (!Array.isArray(block.elements)) issue("must provide an array", `${at}/elements`);
      else if (block.elements.length > 10) issue("no more than 10 items allowed", `${at}/elements`);
      else
        block.elements.forEach((e, i) => {
          if (isRecord(e) && e.type !== "image") checkText(e, `${at}/elements/${i}`, 3000, issue);
        });
      break;
    case "actions":
      if (!Array.isArray(block.elements) || block.elements.length === 0) {
        issue("must provide a non-empty array", `${at}/elements`);
      } else {
        if (block.elements.length > 25) issue("no more than 25 items allowed", `${at}/elements`);
        checkActionIdsUnique(block.elements, `${at}/elements`, issue);
        block.elements.forEach((e, i) => checkElement(e, `${at}/elements/${i}`, issue));
      }
      break;
    case "input":
      checkText(block.label, `${at}/label`, 2000, issue, { plainOnly: true });
      if (block.hint !== undefined) checkText(block.hint, `${at}/hint`, 2000, issue, { plainOnly: true });
      if (block.element === undefined) issue("must provide an object", `${at}/element`);
      else checkElement(block.element, `${at}/element`, issue);
      break;
    case "image":
      checkLength(block.alt_text, `${at}/alt_text`, 2000, issue, true);
      if (block.title !== undefined) checkText(block.title, `${at}/title`, 2000, issue, { plainOnly: true });
      break;
    case "markdown":
      checkLength(block.text, `${at}/text`, 12000, issue, true);
      break;
    default:
      break;
  }
}

function checkElement(element: unknown, at: string, issue: Report): void {
  if (!isRecord(element)) return issue("must provide an object", at);
  if (typeof element.type !== "string") return issue("must provide a type", `${at}/type`);
  if (element.action_id !== undefined) checkLength(element.action_id, `${at}/action_id`, MAX_ID, issue, true);
  if (element.placeholder !== undefined) {
    checkText(element.placeholder, `${at}/placeholder`, 150, issue, { plainOnly: true });
  }
  switch (element.type) {
    case "button":
      checkText(element.text, `${at}/text`, 75, issue, { plainOnly: true });
      if (element.value !== undefined) checkLength(element.value, `${at}/value`, 2000, issue, false);
      if (element.url !== undefined) checkLength(element.url, `${at}/url`, 3000, issue, true);
      if (element.style !== undefined && element.style !== "primary" && element.style !== "danger") {
        issue("must be one of primary, danger", `${at}/style`);
      }
      break;
    case "static_select":
    case "multi_static_select":
    case "overflow":
    case "checkboxes":
    case "radio_buttons": {
      const max = element.type === "overflow" ? 5 : element.type.endsWith("select") ? 100 : 10;
      if (element.options !== undefined) checkOptions(element.options, `${at}/options`, max, issue);
      else if (!Array.isArray(element.option_groups)) issue("must provide options", `${at}/options`);
      break;
    }
    case "plain_text_input":
      if (element.max_length !== undefined && Number(element.max_length) > 3000) {
        issue("must be less than 3001", `${at}/max_length`);
      }
      break;
    default:
      break;
  }
}

function checkOptions(options: unknown, at: string, max: number, issue: Report): void {
  if (!Array.isArray(options) || options.length === 0) return issue("must provide a non-empty array", at);
  if (options.length > max) issue(`no more than ${max} items allowed`, at);
  options.forEach((option, i) => {
    if (!isRecord(option)) return issue("must provide an object", `${at}/${i}`);
    checkText(option.text, `${at}/${i}/text`, 75, issue);
    checkLength(option.value, `${at}/${i}/value`, 150, issue, true);
  });
}

function checkActionIdsUnique(elements: unknown[], at: string, issue: Report): void {
  const seen = new Set<string>();
  elements.forEach((e, i) => {
    if (!isRecord(e) || typeof e.action_id !== "string") return;
    if (seen.has(e.action_id)) issue(`duplicate action_id: ${e.action_id}`, `${at}/${i}/action_id`);
    seen.add(e.action_id);
  });
}

/** A text object: `{ type: "plain_text" | "mrkdwn", text }`, 1 to `max` characters. */
function checkText(
  text: unknown,
  at: string,
  max: number,
  issue: Report,
  options: { plainOnly?: boolean } = {},
): void {
  if (!isRecord(text)) return issue("must provide an object", at);
  const allowed = options.plainOnly === true ? ["plain_text"] : ["plain_text", "mrkdwn"];
  if (typeof text.type !== "string" || !allowed.includes(text.type)) {
    return issue(`must be one of ${allowed.join(", ")}`, `${at}/type`);
  }
  checkLength(text.text, `${at}/text`, max, issue, true);
}

function checkLength(value: unknown, at: string, max: number, issue: Report, nonEmpty: boolean): void {
  if (typeof value !== "string") return issue("must be a string", at);
  if (nonEmpty && value.length === 0) return issue("must be more than 0 characters", at);
  if (value.length > max) issue(`must be less than ${max + 1} characters`, at);
}

/** Slack's `{ errors, response_metadata.messages }` extras for an invalid_blocks answer. */
export function blockIssueExtras(issues: readonly BlockIssue[]): Record<string, unknown> {
  const lines = issues.map((i) => `${i.message} [json-pointer:${i.pointer}]`);
  return { errors: lines, response_metadata: { messages: lines.map((l) => `[ERROR] ${l}`) } };
}
