import type { Logger } from "pino";
import type { Clock } from "../../core/ports.js";
import type { OutboxHandler } from "./drainer.js";
import { enqueueSlackCall } from "../../store/outbox/outbox-calls.js";
import { renderApprovalRequest } from "../views/run-messages.js";
import { RUN_OUTBOX } from "../notifiers/run-notifier.js";
import { getRun, getRunOutput, setApprovalTs } from "../../store/runs/runs.js";

const MAX_UPLOAD_ATTEMPTS = 5;
const UPLOAD_TIMEOUT_MS = 30_000;

/**
 * The Slack side of runs, as outbox continuations: the approval message (rendered from the
 * run's state at send time, then updated in place) and long outputs uploaded as files with
 * files.getUploadURLExternal → POST the bytes → files.completeUploadExternal.
 */
export function runOutboxHandlers(deps: { clock: Clock; log: Logger }): Map<string, OutboxHandler> {
  return new Map<string, OutboxHandler>([
    [
      RUN_OUTBOX.approvalPost,
      {
        async render(row, tx) {
          const run = await getRun(tx, Number(row.context.runId));
          if (!run?.channelId) return null;
          return {
            channel: run.channelId,
            ...renderApprovalRequest(run, deps.clock.now()),
            unfurl_links: false,
          };
        },
        async onDone(row, result, tx) {
          await setApprovalTs(tx, Number(row.context.runId), String(result.ts));
        },
      },
    ],
    [
      RUN_OUTBOX.approvalUpdate,
      {
        async render(row, tx) {
          const run = await getRun(tx, Number(row.context.runId));
          // Not posted yet: the post renders the latest state itself.
          if (!run?.channelId || !run.approvalTs) return null;
          return {
            channel: run.channelId,
            ts: run.approvalTs,
            ...renderApprovalRequest(run, deps.clock.now()),
          };
        },
      },
    ],
    [
      RUN_OUTBOX.fileUrl,
      {
        async render(row, tx) {
          const out = await getRunOutput(tx, Number(row.context.runId));
          if (!out) return null;
          return { filename: out.filename, length: Buffer.byteLength(out.content, "utf8") };
        },
        async onDone(row, result, tx) {
          const runId = Number(row.context.runId);
          const out = await getRunOutput(tx, runId);
          if (!out) return;
          const attempt = Number(row.context.attempt ?? 1);
          try {
            const res = await fetch(String(result.upload_url), {
              method: "POST",
              headers: { "content-type": "text/plain; charset=utf-8" },
              body: out.content,
              signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
            });
            if (!res.ok) throw new Error(`upload answered ${res.status}`);
          } catch (err) {
            deps.log.warn({ err, run: runId, attempt }, "run output upload failed");
            // An upload URL is single-use: ask for a new one, a bounded number of times.
            if (attempt < MAX_UPLOAD_ATTEMPTS)
              await enqueueSlackCall(tx, {
                kind: RUN_OUTBOX.fileUrl,
                method: "files.getUploadURLExternal",
                context: { ...row.context, attempt: attempt + 1 },
                incidentId: row.incidentId,
                channelKey: row.channelKey,
                notBefore: new Date(Date.now() + 2_000 * attempt),
              });
            return;
          }
          await enqueueSlackCall(tx, {
            kind: RUN_OUTBOX.fileComplete,
            method: "files.completeUploadExternal",
            args: {
              files: [{ id: String(result.file_id), title: out.filename }],
              channel_id: String(row.context.channel),
              initial_comment: `Full output of run #${runId}`,
            },
            incidentId: row.incidentId,
            channelKey: row.channelKey,
          });
        },
      },
    ],
    [RUN_OUTBOX.fileComplete, {}],
  ]);
}
