import type { V1Deployment } from "@kubernetes/client-node";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionDefinition } from "../types.js";
import { openSession, type KubeSession } from "./call.js";
import { REVISION_ANNOTATION } from "./rollout-status.js";
import { dnsSubdomain, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

/** The annotation `kubectl rollout restart` sets on the pod template. */
export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";

export const k8sRolloutRestartArgs = z.strictObject({
  namespace: namespaceArg,
  deployment: dnsSubdomain("deployment"),
  /** The preview's `expect`: the run refuses if another rollout happened since the approver looked. */
  expect: z.strictObject({ revision: z.string().max(20) }).optional(),
});
/** Arguments of `k8s.rollout_restart`. */
export type K8sRolloutRestartArgs = z.infer<typeof k8sRolloutRestartArgs>;

async function readDeployment(session: KubeSession, args: K8sRolloutRestartArgs): Promise<V1Deployment> {
  const what = `deployment ${args.namespace}/${args.deployment}`;
  const d = await session.call(what, (c) =>
    c.apps.readNamespacedDeployment({ namespace: args.namespace, name: args.deployment }, c.options),
  );
  if (d.spec?.paused)
    throw new FirebreakError("conflict", `${what} is paused: resume its rollout first; nothing changed.`);
  return d;
}

/** RFC 3339 to the second, as kubectl writes `restartedAt`. */
const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

/** `k8s.rollout_restart`: replace every pod of a deployment, as `kubectl rollout restart` does. */
export const k8sRolloutRestart: ActionDefinition<K8sRolloutRestartArgs, KubernetesTarget> = {
  name: "k8s.rollout_restart",
  kind: "remediation",
  targetType: "kubernetes",
  description: "Restart a deployment's pods with a rolling update (kubectl rollout restart).",
  argsSchema: k8sRolloutRestartArgs,
  async preview(ctx, args) {
    const d = await readDeployment(await openSession(ctx, args.namespace), args);
    const revision = d.metadata?.annotations?.[REVISION_ANNOTATION] ?? "";
    const replicas = d.spec?.replicas ?? 1;
    const images = (d.spec?.template.spec?.containers ?? []).map((c) => c.image ?? "").join(", ");
    return {
      changes: [
        `deployment ${args.namespace}/${args.deployment} rollout restart: all ${replicas} pods replaced by a rolling update` +
          (/^\d+$/.test(revision) ? ` (revision ${revision} → ${Number(revision) + 1})` : ""),
      ],
      table: {
        columns: ["deployment", "replicas", "revision", "images"],
        rows: [[`${args.namespace}/${args.deployment}`, replicas, revision, images]],
      },
      expect: { revision },
    };
  },
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const what = `deployment ${args.namespace}/${args.deployment}`;
    const d = await readDeployment(session, args);
    const revision = d.metadata?.annotations?.[REVISION_ANNOTATION] ?? "";
    if (args.expect && args.expect.revision !== revision)
      throw new FirebreakError(
        "conflict",
        `${what} is now at revision ${revision || "?"}, not ${args.expect.revision} as approved (another rollout happened); nothing changed. Preview it again.`,
      );
    const restartedAt = rfc3339(ctx.now());
    ctx.log.info({ target: ctx.target.name, deployment: what }, "k8s.rollout_restart");
    await session.call(what, (c) =>
      c.apps.patchNamespacedDeployment(
        {
          namespace: args.namespace,
          name: args.deployment,
          body: { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
          fieldManager: "firebreak",
        },
        c.patchOptions("strategic-merge"),
      ),
    );
    return {
      summary: `${what} rollout restart started at ${restartedAt} (${d.spec?.replicas ?? 1} pods, was revision ${revision || "?"}); follow it with k8s.rollout_status`,
    };
  },
};
