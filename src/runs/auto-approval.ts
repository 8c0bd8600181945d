import type { AutoApprovalRecord } from "../store/runs/runs.js";

/** The actor of what an alert asks for (runs, self-heals). */
export const ALERT_ACTOR = "alertmanager";

/** The approver of a remediation pre-approved for alerts: its catalog policy, not a person. */
export const POLICY_ACTOR = "policy";

/** The guardrail's figures as timeline data (`run.auto_approved`, `run.auto_approval_declined`). */
export function guardrailData(a: AutoApprovalRecord): Record<string, unknown> {
  const f = a.figures;
  return {
    ...(a.route ? { route: { index: a.route.index, match: a.route.match } } : {}),
    ...(f
      ? {
          guardrail: {
            max_per_hour: f.maxPerHour,
            runs_in_last_hour: f.runsInLastHour,
            cooldown_ms: f.cooldownMs,
            last_auto_run_at: f.lastAutoRunAt,
            alert_firing: f.alertFiring,
          },
        }
      : {}),
  };
}
