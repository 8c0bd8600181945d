import type { RunNotifier } from "../../runs/ports.js";
import { incidentChannelKey, replyEphemeral } from "./incident-notifier.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { INLINE_OUTPUT_LIMIT, renderRunResult } from "../views/run-messages.js";
import type { Queryable } from "../../store/pool.js";
import type { Run } from "../../store/runs/runs.js";
import { saveRunOutput } from "../../store/runs/runs.js";

/** Outbox kinds of runs (see run-outbox-handlers.ts). */
export const RUN_OUTBOX = {
  approvalPost: "run.approval.post",
  approvalUpdate: "run.approval.update",
  fileUrl: "run.file.url",
  fileComplete: "run.file.complete",
} as const;

const keyOf = (run: Run) =>
  run.incidentId !== null ? incidentChannelKey(run.incidentId) : `response:${run.responseUrl ?? run.id}`;

async function postApprovalRequest(tx: Queryable, run: Run): Promise<void> {
  if (!run.channelId) return;
  await enqueueSlackCall(tx, {
    kind: RUN_OUTBOX.approvalPost,
    method: "chat.postMessage",
    context: { runId: run.id },
    incidentId: run.incidentId,
    channelKey: keyOf(run),
  });
}

async function updateApprovalMessage(tx: Queryable, run: Run): Promise<void> {
  if (!run.channelId || run.kind !== "remediation") return;
  await enqueueSlackCall(tx, {
    kind: RUN_OUTBOX.approvalUpdate,
    method: "chat.update",
    context: { runId: run.id },
    incidentId: run.incidentId,
    channelKey: keyOf(run),
    coalesceKey: `run-approval:${run.id}`,
  });
}

async function tellRequester(tx: Queryable, run: Run, text: string): Promise<void> {
  await replyEphemeral(tx, run.responseUrl ?? undefined, { text }, run.incidentId);
}

async function postRunResult(tx: Queryable, run: Run, output: string): Promise<void> {
  const long = output.length > INLINE_OUTPUT_LIMIT;
  const uploadTo = run.channelId;
  const message = renderRunResult(run, output, { fileAttached: long && Boolean(uploadTo) });
  if (run.incidentId !== null && run.channelId) {
    await enqueueSlackCall(tx, {
      method: "chat.postMessage",
      args: { channel: run.channelId, text: message.text, blocks: message.blocks, unfurl_links: false },
      incidentId: run.incidentId,
      channelKey: keyOf(run),
    });
  } else {
    await replyEphemeral(tx, run.responseUrl ?? undefined, { text: message.text, blocks: message.blocks });
  }
  if (long && uploadTo) {
    await saveRunOutput(tx, run.id, `run-${run.id}-${run.command}.txt`, output);
    await enqueueSlackCall(tx, {
      kind: RUN_OUTBOX.fileUrl,
      method: "files.getUploadURLExternal",
      context: { runId: run.id, channel: uploadTo, attempt: 1 },
      incidentId: run.incidentId,
      channelKey: keyOf(run),
    });
  }
}

/** The RunNotifier over the Slack outbox. */
export function createRunNotifier(): RunNotifier {
  return { postApprovalRequest, updateApprovalMessage, tellRequester, postRunResult };
}
