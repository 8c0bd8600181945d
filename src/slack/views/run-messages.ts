import { escapeMrkdwn, mentionUser, truncate } from "../../core/mrkdwn.js";
import type { Run } from "../../store/runs/runs.js";
import type { Block } from "./blocks.js";
import { LIMITS, actions, button, capBlocks, context, section } from "./blocks.js";
import { slackDate } from "./incident-summary.js";
import { RUN_ACTION } from "../ids.js";
import { formatTable } from "../../runs/output-text.js";

/** Shown inline at most this much output; the rest goes into an uploaded file. */
export const INLINE_OUTPUT_LIMIT = 2_800;

const STATUS_ICON = { ok: ":white_check_mark:", warning: ":warning:", error: ":x:" } as const;

/** Code block of untrusted text, escaped and within a section's limit. */
const codeBlock = (text: string, max = LIMITS.section - 10) =>
  `\`\`\`${escapeMrkdwn(truncate(text, max))}\`\`\``;

const runTitle = (run: Run) =>
  `*${escapeMrkdwn(run.command)}* on \`${escapeMrkdwn(run.target)}\` (run #${run.id})`;

const paramsText = (run: Run) => {
  const entries = Object.entries(run.params);
  return entries.length
    ? entries.map(([k, v]) => `\`${escapeMrkdwn(k)}=${escapeMrkdwn(truncate(String(v), 200))}\``).join(" ")
    : "no parameters";
};

/** What is asked of approvers: the exact changes, the rows concerned, and the two buttons. */
export function renderApprovalRequest(run: Run, now: Date): { text: string; blocks: Block[] } {
  const preview = run.preview;
  const blocks: Block[] = [
    section(
      `:raised_hand: *Approval needed* — ${runTitle(run)}, requested by ${mentionUser(run.requestedBy)}\n${paramsText(run)}`,
    ),
    section(
      `*What would change*\n${(preview?.changes ?? []).map((c) => `• ${escapeMrkdwn(truncate(c, 600))}`).join("\n") || "_nothing to show_"}`,
    ),
  ];
  if (preview?.table && preview.table.rows.length) {
    blocks.push(section(codeBlock(formatTable(preview.table))));
  }
  const declined = run.autoApproval && !run.autoApproval.approved ? run.autoApproval.reason : undefined;
  if (declined)
    blocks.push(
      context(
        `:warning: This alert's self-heal did not run on its own: ${escapeMrkdwn(truncate(declined, 500))}. Approving runs it now.`,
      ),
    );
  blocks.push(...approvalStatus(run, now));
  return {
    text: `Approval needed: ${escapeMrkdwn(run.command)} on ${escapeMrkdwn(run.target)} (run #${run.id})`,
    blocks: capBlocks(blocks),
  };
}

/** The footer of an approval message: buttons while waiting, then what became of it. */
function approvalStatus(run: Run, now: Date): Block[] {
  const needs = `${run.approvalsNeeded} approval${run.approvalsNeeded === 1 ? "" : "s"} from ${run.approverRoles.join(", ")}`;
  switch (run.state) {
    case "awaiting_approval":
      return [
        context(
          `Needs ${needs}; the requester cannot approve their own run.${run.expiresAt ? ` Expires ${slackDate(run.expiresAt)}.` : ""} Checked ${slackDate(now)}.`,
        ),
        actions(`run:${run.id}`, [
          button("Approve", RUN_ACTION.approve, String(run.id), "primary"),
          button("Deny", RUN_ACTION.deny, String(run.id), "danger"),
        ]),
      ];
    case "approved":
      return [context(":hourglass_flowing_sand: Approved; waiting for the target to be free.")];
    case "running":
      return [context(":gear: Approved; running now.")];
    case "succeeded":
    case "failed":
      return [
        context(
          `${run.state === "succeeded" ? ":white_check_mark: Ran" : ":x: Failed"}: ${escapeMrkdwn(truncate(run.outcome?.summary ?? "", 500))}`,
        ),
      ];
    case "denied":
      return [context(":no_entry: Denied: nothing ran.")];
    case "expired":
      return [context(":hourglass: Expired without approval: nothing ran.")];
    case "interrupted":
      return [
        context(":warning: Interrupted mid-run; not re-run. Check the target before requesting it again."),
      ];
    default:
      return [context(run.state)];
  }
}

/** A finished run: status, summary, output (inline or as a file), digest. */
export function renderRunResult(
  run: Run,
  output: string,
  opts: { fileAttached: boolean },
): { text: string; blocks: Block[] } {
  const o = run.outcome;
  const icon = run.state === "interrupted" ? ":warning:" : STATUS_ICON[o?.status ?? "error"];
  const head =
    run.state === "failed"
      ? `${icon} ${runTitle(run)} failed: ${escapeMrkdwn(truncate(o?.error ?? o?.summary ?? "", 1500))}`
      : run.state === "interrupted"
        ? `${icon} ${runTitle(run)} was interrupted before it finished; it was not re-run. Check the target's state before requesting it again.`
        : `${icon} ${runTitle(run)}: ${escapeMrkdwn(truncate(o?.summary ?? "", 1500))}`;
  const blocks: Block[] = [section(head)];
  if (output && run.state === "succeeded") {
    const shown = opts.fileAttached ? truncate(output, INLINE_OUTPUT_LIMIT - 300) : output;
    blocks.push(section(codeBlock(shown)));
  }
  const bits = [
    `requested by ${mentionUser(run.requestedBy)}`,
    ...(run.autoApproved ? ["approved by its policy (auto_approve_for_alerts)"] : []),
    ...(o?.durationMs !== undefined ? [`${(o.durationMs / 1000).toFixed(1)} s`] : []),
    ...(o?.digest ? [`sha256 \`${o.digest.slice(0, 16)}…\``] : []),
    ...(opts.fileAttached ? ["full output in the attached file"] : []),
  ];
  blocks.push(context(bits.join(" · ")));
  return {
    text: `${run.command} on ${run.target} (run #${run.id}): ${run.state}`,
    blocks: capBlocks(blocks),
  };
}

/** A run's approval message as it stands now (for chat.update). */
export function renderApprovalUpdate(run: Run, now: Date): { text: string; blocks: Block[] } {
  return renderApprovalRequest(run, now);
}
