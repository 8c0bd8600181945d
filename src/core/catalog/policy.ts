import type { Role } from "../incident/roles.js";
import type { Severity } from "../incident/severity.js";
import { formatMs } from "./parameters.js";
import type { CatalogCommand, CommandPolicy } from "./types.js";

/** Approval requests expire after this unless a command says otherwise. */
export const DEFAULT_APPROVAL_EXPIRY_MS = 15 * 60_000;

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

/** Where a request was made. */
export interface RequestPlace {
  /** The incident whose channel it is, if any. */
  incident?: { id: number; severity: Severity; resolved: boolean };
}

/** What the requester and the command's recent runs look like right now. */
export interface RequestFacts {
  command: CatalogCommand;
  userId: string;
  roles: ReadonlySet<Role>;
  place: RequestPlace;
  now: Date;
  /** When this command last started on this target (cooldown). */
  lastStartedAt?: Date | null;
  /** An unfinished exclusive run on the target, if any. */
  activeRunOnTarget?: { id: number; command: string } | null;
}

const ROLE_LIST = (roles: readonly string[]) => roles.join(", ");

/** May the user request this command here, now? Pure: everything it looks at is passed in. */
export function decideRequest(f: RequestFacts): PolicyDecision {
  const p = f.command.policy;
  const refuse = (reason: string): PolicyDecision => ({ allowed: false, reason });
  if (!mayRequest(p, f.roles))
    return refuse(
      `You may not run ${f.command.name}: it needs one of: ${ROLE_LIST(p.requesters)}. Ask an admin to grant you a role in firebreak.yaml.`,
    );
  const incident = f.place.incident;
  if (!incident && (f.command.kind === "remediation" || p.channels === "incident"))
    return refuse(
      f.command.kind === "remediation"
        ? `${f.command.name} is a remediation: it runs only in an incident channel, where everyone sees it. Run it in the incident's channel.`
        : `${f.command.name} runs only in incident channels: run it in the incident's channel.`,
    );
  if (incident && f.command.kind === "remediation" && incident.resolved)
    return refuse(`Incident #${incident.id} is resolved; reopen it before running a remediation.`);
  if (incident && p.severities && !p.severities.includes(incident.severity))
    return refuse(
      `${f.command.name} is allowed only in ${p.severities.join("/")} incidents; #${incident.id} is ${incident.severity}.`,
    );
  if (p.exclusive && f.activeRunOnTarget)
    return refuse(
      `Run #${f.activeRunOnTarget.id} (${f.activeRunOnTarget.command}) is still in progress on that target; one run per target at a time. Try again when it has finished.`,
    );
  if (p.cooldownMs > 0 && f.lastStartedAt) {
    const wait = f.lastStartedAt.getTime() + p.cooldownMs - f.now.getTime();
    if (wait > 0)
      return refuse(
        `${f.command.name} ran on that target ${formatMs(f.now.getTime() - f.lastStartedAt.getTime())} ago; its cooldown is ${formatMs(p.cooldownMs)}. Try again in ${formatMs(Math.max(1000, wait))}.`,
      );
  }
  return { allowed: true };
}

/** Does any of `roles` (or `anyone`) let a user request under this policy? */
export function mayRequest(p: CommandPolicy, roles: ReadonlySet<Role>): boolean {
  return p.requesters.some((r) => r === "anyone" || roles.has(r));
}

/** A pending approval request, as the approval decision sees it. */
export interface PendingRun {
  id: number;
  command: string;
  state: string;
  requestedBy: string;
  expiresAt: Date | null;
  approvalsNeeded: number;
  approverRoles: readonly Role[];
  /** Users who approved so far. */
  approvedBy: readonly string[];
}

export type ApprovalDecision =
  | { outcome: "accepted"; complete: boolean }
  | { outcome: "unchanged"; reason: string }
  | { outcome: "refused"; reason: string; expired?: boolean };

const STATE_WORDS: Record<string, string> = {
  previewing: "is still being previewed",
  approved: "is already approved",
  queued: "is already approved",
  running: "is already running",
  succeeded: "has already run",
  failed: "has already run (and failed)",
  denied: "was denied",
  expired: "has expired",
  interrupted: "was interrupted",
  refused: "was refused",
};

/**
 * Decides one Approve (or Deny: `deny`) click, checked at click time: the run must be
 * waiting and unexpired, the clicker must hold an approver role, and a requester never
 * approves their own run (they may withdraw it with Deny). A second click by the same
 * approver changes nothing.
 */
export function decideApproval(
  run: PendingRun,
  userId: string,
  roles: ReadonlySet<Role>,
  now: Date,
  action: "approve" | "deny" = "approve",
): ApprovalDecision {
  if (run.state !== "awaiting_approval") {
    if (action === "approve" && run.approvedBy.includes(userId))
      return { outcome: "unchanged", reason: `You already approved run #${run.id}.` };
    return {
      outcome: "refused",
      reason: `Run #${run.id} ${STATE_WORDS[run.state] ?? `is ${run.state}`}: this button no longer does anything.${
        run.state === "expired" ? ` Request it again: \`/run ${run.command} …\`.` : ""
      }`,
    };
  }
  if (run.expiresAt && now.getTime() >= run.expiresAt.getTime())
    return {
      outcome: "refused",
      expired: true,
      reason: `The approval request for run #${run.id} expired; nothing ran. Request it again: \`/run ${run.command} …\`.`,
    };
  if (action === "deny" && userId === run.requestedBy) return { outcome: "accepted", complete: true };
  if (userId === run.requestedBy)
    return {
      outcome: "refused",
      reason: `You requested run #${run.id}, so you cannot approve it: someone else with one of ${ROLE_LIST(run.approverRoles)} must.`,
    };
  if (!run.approverRoles.some((r) => roles.has(r)))
    return {
      outcome: "refused",
      reason: `You may not ${action} run #${run.id}: that needs one of: ${ROLE_LIST(run.approverRoles)}.`,
    };
  if (action === "deny") return { outcome: "accepted", complete: true };
  if (run.approvedBy.includes(userId))
    return {
      outcome: "unchanged",
      reason: `You already approved run #${run.id}; it needs ${run.approvalsNeeded - run.approvedBy.length} more.`,
    };
  return { outcome: "accepted", complete: run.approvedBy.length + 1 >= run.approvalsNeeded };
}

/** What the guardrails of a pre-approved remediation see for an alert incident. */
export interface AutoApproveFacts {
  policy: CommandPolicy;
  alertFiring: boolean;
  /**
   * Start times of this command's auto-approved runs on the target, at least over the last
   * hour (and over the cooldown, when that is longer).
   */
  recentAutoRuns: readonly Date[];
  /** An unfinished exclusive run on the target, if any: a busy target is not touched unasked. */
  activeRunOnTarget?: { id: number; command: string } | null;
  now: Date;
}

/** The guardrail's figures at the moment it decided, for the record (`run.auto_approved`). */
export interface AutoApprovalFigures {
  maxPerHour: number;
  runsInLastHour: number;
  cooldownMs: number;
  lastAutoRunAt: Date | null;
  alertFiring: boolean;
}

/** The decision and the figures it was made on. */
export type AutoApprovalDecision = PolicyDecision & { figures?: AutoApprovalFigures };

/**
 * May an alert run this remediation without a human approval? Only while the alert fires,
 * within `max_per_hour` and past the `cooldown` of the command's earlier auto-approved runs
 * on the target, and only on a target nothing else is running on. Otherwise it is proposed
 * for approval.
 */
export function decideAutoApproval(f: AutoApproveFacts): AutoApprovalDecision {
  const auto = f.policy.autoApproveForAlerts;
  if (!auto) return { allowed: false, reason: "the command is not pre-approved for alerts" };
  const hourAgo = f.now.getTime() - 3_600_000;
  const inHour = f.recentAutoRuns.filter((d) => d.getTime() > hourAgo);
  const last = f.recentAutoRuns.reduce<Date | null>((m, d) => (m && m >= d ? m : d), null);
  const figures: AutoApprovalFigures = {
    maxPerHour: auto.maxPerHour,
    runsInLastHour: inHour.length,
    cooldownMs: auto.cooldownMs,
    lastAutoRunAt: last,
    alertFiring: f.alertFiring,
  };
  const refuse = (reason: string): AutoApprovalDecision => ({ allowed: false, reason, figures });
  if (!f.alertFiring) return refuse("the alert is no longer firing");
  if (inHour.length >= auto.maxPerHour)
    return refuse(
      `hourly limit: it already ran ${inHour.length} times on this target in the last hour (max_per_hour ${auto.maxPerHour})`,
    );
  if (last && f.now.getTime() - last.getTime() < auto.cooldownMs)
    return refuse(
      `cooldown: it ran on this target ${formatMs(f.now.getTime() - last.getTime())} ago, within its cooldown of ${formatMs(auto.cooldownMs)}`,
    );
  if (f.activeRunOnTarget)
    return refuse(
      `target busy: run #${f.activeRunOnTarget.id} (${f.activeRunOnTarget.command}) is still in progress on it`,
    );
  return { allowed: true, figures };
}
