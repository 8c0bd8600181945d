/**
 * On-call schedules and escalation: pure functions the paging engine, the `/oncall`
 * listener and the CLI build on. Times are computed in each schedule's IANA zone.
 */
export { formatDuration, parseDuration } from "../duration.js";
export { describeTarget, resolveStep, type ResolvedStep } from "./escalation-targets.js";
export {
  nextEscalation,
  startEscalation,
  type EscalationDecision,
  type EscalationState,
} from "./next-escalation.js";
export { MAX_OVERRIDE_MS, resolveOverrideWindow } from "./override-window.js";
export {
  ONCALL_HELP,
  parseOncallCommand,
  type OncallCommand,
  type OverrideWindowSpec,
} from "./parse-oncall-command.js";
export { planEscalation } from "./plan-escalation.js";
export { snapshotPolicy } from "./policy-snapshot.js";
export { shiftsBetween } from "./shifts-between.js";
export { simulateEscalation, type SimulateOptions } from "./simulate-escalation.js";
export { createTargetResolver, type TargetDirectory } from "./target-resolver.js";
export type * from "./types.js";
export {
  WHEN_HELP,
  localDateAt,
  parseAbsoluteWhen,
  parseWhen,
  parseWhenSpec,
  resolveWhen,
  type LocalDay,
  type WhenSpec,
} from "./when.js";
export { whoIsOnCall } from "./who-is-on-call.js";
export { canonicalTimeZone, fromWall, toWall } from "./zoned-time.js";
export {
  RUNBOOK_ACK_TIMEOUTS_MS,
  policyForSeverity,
  runbookAckTimeout,
  runbookEscalationPolicy,
} from "./runbook-policy.js";
