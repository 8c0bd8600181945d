import type { V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import type { ActionDefinition } from "../types.js";
import { openSession } from "./call.js";
import { age } from "./format.js";
import { dnsSubdomain, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";

export const k8sRolloutStatusArgs = z.strictObject({
  namespace: namespaceArg,
  deployment: dnsSubdomain("deployment"),
});
/** Arguments of `k8s.rollout_status`. */
export type K8sRolloutStatusArgs = z.infer<typeof k8sRolloutStatusArgs>;

/** Where a rollout stands, decided as `kubectl rollout status` decides it. */
export interface RolloutState {
  readonly state: "complete" | "progressing" | "failed";
  readonly message: string;
}

export function rolloutState(d: V1Deployment): RolloutState {
  const name = d.metadata?.name ?? "";
  const s = d.status ?? {};
  const desired = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const total = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0))
    return { state: "progressing", message: "Waiting for deployment spec update to be observed..." };
  const progressing = s.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded")
    return { state: "failed", message: `deployment "${name}" exceeded its progress deadline` };
  const waiting = (why: string): RolloutState => ({
    state: "progressing",
    message: `Waiting for deployment "${name}" rollout to finish: ${why}...`,
  });
  if (updated < desired) return waiting(`${updated} out of ${desired} new replicas have been updated`);
  if (total > updated) return waiting(`${total - updated} old replicas are pending termination`);
  if (available < updated) return waiting(`${available} of ${updated} updated replicas are available`);
  return { state: "complete", message: `deployment "${name}" successfully rolled out` };
}

/** `k8s.rollout_status`: replica counts, revision and conditions of a deployment's rollout. */
export const k8sRolloutStatus: ActionDefinition<K8sRolloutStatusArgs, KubernetesTarget> = {
  name: "k8s.rollout_status",
  kind: "diagnostic",
  targetType: "kubernetes",
  description:
    "Whether a deployment's rollout is complete: desired, updated, ready and available replicas, revision, conditions.",
  argsSchema: k8sRolloutStatusArgs,
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const subject = `deployment ${args.namespace}/${args.deployment}`;
    const d = await session.call(subject, (c) =>
      c.apps.readNamespacedDeployment({ namespace: args.namespace, name: args.deployment }, c.options),
    );
    const now = ctx.now();
    const { state, message } = rolloutState(d);
    const revision = d.metadata?.annotations?.[REVISION_ANNOTATION] ?? "?";
    const s = d.status ?? {};
    const paused = d.spec?.paused ? " (paused)" : "";
    const conditions = (s.conditions ?? []).map(
      (c) =>
        `${c.type}=${c.status}${c.reason ? ` ${c.reason}` : ""}${c.message ? `: ${c.message}` : ""}` +
        (c.lastUpdateTime ? ` (${age(c.lastUpdateTime, now)} ago)` : ""),
    );
    return {
      summary: `${subject} revision ${revision}: ${state}${paused}. ${message}`,
      status: state === "complete" ? "ok" : state === "failed" ? "error" : "warning",
      table: {
        columns: ["desired", "updated", "ready", "available", "revision", "state"],
        rows: [
          [
            d.spec?.replicas ?? 1,
            s.updatedReplicas ?? 0,
            s.readyReplicas ?? 0,
            s.availableReplicas ?? 0,
            revision,
            state + paused,
          ],
        ],
      },
      text: conditions.length > 0 ? `Conditions:\n${conditions.join("\n")}\n` : "No conditions reported.\n",
    };
  },
};
