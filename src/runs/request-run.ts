import { FirebreakError } from "../core/errors.js";
import { commandTarget, resolveParams } from "../core/catalog/parameters.js";
import { decideAutoApproval, decideRequest } from "../core/catalog/policy.js";
import type { ParamValue } from "../core/catalog/types.js";
import { findTarget, targetNames } from "../config-schema/targets.js";
import type { Via } from "../incidents/deps.js";
import {
  claimRequestKey,
  findIncidentByChannel,
  getIncident,
  lockIncident,
} from "../store/incidents/incidents.js";
import type { Incident } from "../store/incidents/incidents.js";
import { withTransaction } from "../store/pool.js";
import type { Queryable } from "../store/pool.js";
import type { Role } from "../core/incident/roles.js";
import { WORKSPACE_CHAIN, appendTimelineEvent } from "../store/timeline/timeline-events.js";
import type { RunDeps, RunResult } from "./deps.js";
import { preflightSteps } from "../catalog/preflight.js";
import { startRun } from "./execute-run.js";
import { previewRun } from "./preview-run.js";
import { autoRunsSince, insertRun, lastStartedAt, runningOnTarget } from "../store/runs/runs.js";
import type { AutoApprovalRecord } from "../store/runs/runs.js";
import { guardrailData } from "./auto-approval.js";

/** Someone (or an alert) asking for a catalog command. */
export interface RunRequest {
  command: string;
  /** `param=value` pairs as typed (validated here). */
  params: Readonly<Record<string, string>>;
  actor: string;
  via: Via;
  /** Where it was asked: an incident channel makes it part of that incident. */
  channelId?: string;
  /** Alert hooks name the incident directly. */
  incidentId?: number;
  responseUrl?: string;
  /** Slack's trigger id or view id: the same key requests once. */
  requestKey?: string;
  /**
   * Requested by Firebreak itself for an alert (routing rules name the commands), so no
   * requester role applies; every other guardrail does. `route` is recorded with a
   * remediation's pre-approval.
   */
  system?: { alertFiring: boolean; route?: { index: number; match: Record<string, string> } };
}

/** A request decided inside a caller's transaction: the result, and the work to start once it commits. */
export interface RequestedRun {
  result: RunResult;
  /** Runs the diagnostic or previews the remediation; null when nothing was accepted. */
  start: (() => Promise<void>) | null;
}

/**
 * Records a request and, when policy allows, starts it: a diagnostic runs at once, a
 * remediation is previewed and posted for approval (or, pre-approved for a firing alert
 * within its guardrails, runs). Refusals are recorded in the timeline too — the
 * incident's, or the workspace chain outside incidents. The work itself happens after
 * this returns, off the request path.
 */
export async function requestRun(deps: RunDeps, req: RunRequest): Promise<RunResult> {
  const roles = req.system ? new Set<never>() : await deps.roles.rolesOf(req.actor);
  const found: Incident | null =
    req.incidentId !== undefined
      ? await getIncident(deps.pool, req.incidentId)
      : req.channelId
        ? await findIncidentByChannel(deps.pool, req.channelId)
        : null;
  const { result, start } = await withTransaction(deps.pool, (tx) =>
    requestRunIn(tx, deps, { ...req, ...(found ? { incidentId: found.id } : {}) }, roles),
  );
  if (start) void deps.executor.spawn(start);
  return result;
}

/**
 * The transactional core of {@link requestRun}, for callers that decide more in the same
 * transaction (the self-heal of an alert). `req.incidentId` names the incident (locked
 * here); `roles` are the requester's. Call `start` after commit.
 */
export async function requestRunIn(
  tx: Queryable,
  deps: RunDeps,
  req: RunRequest,
  roles: ReadonlySet<Role>,
): Promise<RequestedRun> {
  const incident = req.incidentId !== undefined ? await lockIncident(tx, req.incidentId) : null;
  const chain = incident?.id ?? WORKSPACE_CHAIN;
  const now = deps.clock.now();
  const refuse = async (reason: string): Promise<RequestedRun> => {
    await appendTimelineEvent(tx, {
      incidentId: chain,
      actor: req.actor,
      kind: "run.refused",
      at: now,
      data: {
        command: req.command,
        params: deps.redactor.value({ ...req.params }),
        via: req.via,
        ...(req.channelId ? { channel: req.channelId } : {}),
        reason: deps.redactor.text(reason),
      },
    });
    // Unknown names stay out of the metric's labels (they are user input).
    deps.observeRun?.(deps.catalog.commands.has(req.command) ? req.command : "unknown", "refused");
    return {
      result: { status: "refused", message: reason, ...(incident ? { incidentId: incident.id } : {}) },
      start: null,
    };
  };
  const command = deps.catalog.commands.get(req.command);
  if (!command)
    return refuse(`There is no command \`${req.command}\` in the catalog; \`/run help\` lists the commands.`);
  const names = targetNames(deps.targets, command.targetType);
  let params: Record<string, ParamValue>;
  let target: string;
  try {
    params = resolveParams(command, req.params, names);
    target = commandTarget(command, params);
  } catch (err) {
    if (err instanceof FirebreakError && err.code === "input_invalid")
      return refuse(`${err.message} Nothing ran. \`/run help ${command.name}\` shows the parameters.`);
    throw err;
  }
  if (findTarget(deps.targets, command.targetType, target) === undefined)
    return refuse(`${command.targetType} target ${target} is not configured in firebreak.yaml; nothing ran.`);
  const unfit = preflightSteps(deps, command, params, target);
  if (unfit) return refuse(`${unfit} Nothing ran.`);
  const policy = command.policy;
  // For an alert's remediation a busy target is the guardrail's call: proposed for approval, not refused.
  const alertRemediation = Boolean(req.system) && command.kind === "remediation";
  const activeRun = policy.exclusive ? await runningOnTarget(tx, command.targetType, target) : null;
  const decision = decideRequest({
    command: req.system ? { ...command, policy: { ...policy, requesters: ["anyone"] } } : command,
    userId: req.actor,
    roles,
    place: incident
      ? {
          incident: {
            id: incident.id,
            severity: incident.severity,
            resolved: incident.state === "resolved",
          },
        }
      : {},
    now,
    lastStartedAt: policy.cooldownMs ? await lastStartedAt(tx, command.name, target) : null,
    activeRunOnTarget: alertRemediation ? null : activeRun,
  });
  if (!decision.allowed) return refuse(decision.reason);
  if (req.requestKey && !(await claimRequestKey(tx, `run:${req.requestKey}`)))
    return {
      result: {
        status: "unchanged",
        message: "This request was already handled (a retry or a double submit).",
      },
      start: null,
    };
  let autoApproval: AutoApprovalRecord | null = null;
  if (req.system && alertRemediation) {
    const lookBack = Math.max(3_600_000, policy.autoApproveForAlerts?.cooldownMs ?? 0);
    const auto = decideAutoApproval({
      policy,
      alertFiring: req.system.alertFiring,
      recentAutoRuns: await autoRunsSince(tx, command.name, target, new Date(now.getTime() - lookBack)),
      activeRunOnTarget: activeRun,
      now,
    });
    const f = auto.figures;
    autoApproval = {
      approved: auto.allowed,
      ...(auto.allowed ? {} : { reason: auto.reason }),
      ...(f ? { figures: { ...f, lastAutoRunAt: f.lastAutoRunAt?.toISOString() ?? null } } : {}),
      ...(req.system.route ? { route: req.system.route } : {}),
    };
    if (!auto.allowed)
      await appendTimelineEvent(tx, {
        incidentId: chain,
        actor: req.actor,
        kind: "run.auto_approval_declined",
        at: now,
        data: { command: command.name, target, reason: auto.reason, ...guardrailData(autoApproval) },
      });
  }
  const autoApproved = autoApproval?.approved ?? false;
  const run = await insertRun(tx, {
    incidentId: incident?.id ?? null,
    command: command.name,
    kind: command.kind,
    targetType: command.targetType,
    target,
    params,
    requestedBy: req.actor,
    via: req.via,
    channelId: incident?.channelId ?? req.channelId ?? null,
    responseUrl: req.responseUrl ?? null,
    state: command.kind === "diagnostic" ? "approved" : "previewing",
    exclusive: policy.exclusive,
    approvalsNeeded: policy.approvals.count,
    approverRoles: [...policy.approvals.roles],
    timeoutMs: policy.timeoutMs,
    requestedAt: now,
    autoApproved,
    autoApproval,
  });
  await appendTimelineEvent(tx, {
    incidentId: chain,
    actor: req.actor,
    kind: "run.requested",
    at: now,
    data: {
      run_id: run.id,
      command: command.name,
      kind: command.kind,
      target_type: command.targetType,
      target,
      params: deps.redactor.value(params),
      via: req.via,
      ...(autoApproval
        ? { auto_approved: autoApproved, ...(autoApproved ? guardrailData(autoApproval) : {}) }
        : {}),
    },
  });
  const message =
    command.kind === "diagnostic"
      ? `Running \`${command.name}\` on \`${target}\` (run #${run.id})…`
      : autoApproved
        ? `\`${command.name}\` on \`${target}\` is pre-approved for this alert (run #${run.id}); running it.`
        : `Previewing \`${command.name}\` on \`${target}\` (run #${run.id}); the approval request follows in the incident channel.`;
  const id = run.id;
  return {
    result: {
      status: "accepted",
      message,
      runId: run.id,
      ...(incident ? { incidentId: incident.id } : {}),
      ...(autoApproval
        ? {
            autoApproval: {
              approved: autoApproval.approved,
              ...(autoApproval.reason ? { reason: autoApproval.reason } : {}),
            },
          }
        : {}),
    },
    start: () => (command.kind === "diagnostic" ? startRun(deps, id) : previewRun(deps, id)),
  };
}

/** Records a `/run` that could not even be parsed (a newline, an unclosed quote …): refused, nothing ran. */
export async function recordUnparsedRun(
  deps: RunDeps,
  input: { actor: string; channelId: string; text: string; reason: string },
): Promise<RunResult> {
  const incident = await findIncidentByChannel(deps.pool, input.channelId);
  await withTransaction(deps.pool, (tx) =>
    appendTimelineEvent(tx, {
      incidentId: incident?.id ?? WORKSPACE_CHAIN,
      actor: input.actor,
      kind: "run.refused",
      at: deps.clock.now(),
      data: {
        text: deps.redactor.text(input.text.slice(0, 500)),
        via: "slash",
        channel: input.channelId,
        reason: input.reason,
      },
    }),
  );
  return {
    status: "refused",
    message: `${input.reason} Nothing ran.`,
    ...(incident ? { incidentId: incident.id } : {}),
  };
}
