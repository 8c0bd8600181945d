import type { MethodArgs } from "../args.js";
import { isRecord, optionalJson, optionalString, slackError } from "../args.js";
import type { BlockIssue } from "../block-kit-limits.js";
import { blockIssueExtras, blockIssues } from "../block-kit-limits.js";
import { viewJson } from "../serialize.js";
import type { MethodContext, MethodHandler } from "./context.js";

/** Slack honours a trigger id for three seconds. */
export const TRIGGER_LIFETIME_MS = 3000;
/** Slack's modal stack holds at most three views. */
const MAX_STACK = 3;

/** Checks a modal definition as Slack does; problems answer `invalid_arguments`. */
export function viewIssues(view: Record<string, unknown>): BlockIssue[] {
  const issues: BlockIssue[] = [];
  if (view.type !== "modal") issues.push({ message: "must be one of modal", pointer: "/view/type" });
  for (const key of ["title", "submit", "close"] as const) {
    const text = view[key];
    if (text === undefined && key !== "title") continue;
    if (!isRecord(text) || text.type !== "plain_text" || typeof text.text !== "string") {
      issues.push({ message: "must provide a plain_text object", pointer: `/view/${key}` });
    } else if (text.text.length === 0 || text.text.length > 24) {
      issues.push({ message: "must be between 1 and 24 characters", pointer: `/view/${key}/text` });
    }
  }
  const limits: [string, number][] = [
    ["callback_id", 255],
    ["external_id", 255],
    ["private_metadata", 3000],
  ];
  for (const [key, max] of limits) {
    const value = view[key];
    if (typeof value === "string" && value.length > max) {
      issues.push({ message: `must be less than ${max + 1} characters`, pointer: `/view/${key}` });
    }
  }
  issues.push(...blockIssues(view.blocks, "modal", "/view/blocks"));
  const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isRecord(b) && b.type === "input");
  if (hasInput && view.submit === undefined) {
    issues.push({ message: "must provide submit when input blocks are present", pointer: "/view/submit" });
  }
  return issues;
}

function readView(args: MethodArgs): Record<string, unknown> {
  const view = optionalJson(args, "view", "invalid_arguments");
  if (!isRecord(view)) throw slackError("invalid_arguments");
  const issues = viewIssues(view);
  if (issues.length > 0) throw slackError("invalid_arguments", blockIssueExtras(issues));
  return view;
}

/** Exchanges a trigger id (once, within three seconds) for the user it was issued to. */
function exchangeTrigger(ctx: MethodContext): string {
  const id = optionalString(ctx.args, "trigger_id") ?? optionalString(ctx.args, "interactivity_pointer");
  if (id === undefined) throw slackError("invalid_arguments");
  const trigger = ctx.state.triggers.get(id);
  if (!trigger) throw slackError("invalid_trigger_id");
  if (trigger.used) throw slackError("exchanged_trigger_id");
  if (ctx.state.now().getTime() - trigger.issuedAtMs > TRIGGER_LIFETIME_MS)
    throw slackError("expired_trigger_id");
  trigger.used = true;
  return trigger.userId;
}

function refuseDuplicateExternalId(ctx: MethodContext, view: Record<string, unknown>, except?: string) {
  if (typeof view.external_id !== "string" || view.external_id === "") return;
  const existing = ctx.state.viewByExternalId(view.external_id);
  if (existing && existing.id !== except) throw slackError("duplicate_external_id");
}

const open: MethodHandler = (ctx) => {
  const view = readView(ctx.args);
  refuseDuplicateExternalId(ctx, view);
  const user = exchangeTrigger(ctx);
  return { view: viewJson(ctx.state.openView(user, view, false), ctx.state.identity) };
};

const push: MethodHandler = (ctx) => {
  const view = readView(ctx.args);
  refuseDuplicateExternalId(ctx, view);
  const user = exchangeTrigger(ctx);
  if (ctx.state.viewStack(user).length >= MAX_STACK) throw slackError("push_limit_reached");
  return { view: viewJson(ctx.state.openView(user, view, true), ctx.state.identity) };
};

const update: MethodHandler = (ctx) => {
  const viewId = optionalString(ctx.args, "view_id");
  const externalId = optionalString(ctx.args, "external_id");
  if (viewId === undefined && externalId === undefined) throw slackError("invalid_arguments");
  const definition = readView(ctx.args);
  const existing =
    viewId !== undefined ? ctx.state.views.get(viewId) : ctx.state.viewByExternalId(externalId ?? "");
  if (!existing) throw slackError("not_found");
  refuseDuplicateExternalId(ctx, definition, existing.id);
  const hash = optionalString(ctx.args, "hash");
  if (hash !== undefined && hash !== existing.hash) throw slackError("hash_conflict");
  return { view: viewJson(ctx.state.replaceView(existing, definition), ctx.state.identity) };
};

/** The views.* family (modals). */
export const viewMethods: Record<string, MethodHandler> = {
  "views.open": open,
  "views.push": push,
  "views.update": update,
};
