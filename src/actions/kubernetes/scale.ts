import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition } from "../types.js";
import { openSession, type KubeSession } from "./call.js";
import { dnsSubdomain, intArg, namespaceArg } from "./schemas.js";
import { assertReplicasAllowed, type KubernetesTarget } from "./target.js";

export const k8sScaleArgs = z.strictObject({
  namespace: namespaceArg,
  deployment: dnsSubdomain("deployment"),
  /** Wanted replicas; must also be within the target's scale bounds. */
  replicas: intArg(0, 10_000),
  /** The preview's `expect`: the run refuses if the replica count moved since the approver saw it. */
  expect: z.strictObject({ replicas: z.int().min(0) }).optional(),
});
/** Arguments of `k8s.scale`. */
export type K8sScaleArgs = z.infer<typeof k8sScaleArgs>;

async function readScale(session: KubeSession, args: K8sScaleArgs) {
  const scale = await session.call(`deployment ${args.namespace}/${args.deployment}`, (c) =>
    c.apps.readNamespacedDeploymentScale({ namespace: args.namespace, name: args.deployment }, c.options),
  );
  return { scale, current: scale.spec?.replicas ?? 0 };
}

async function check(ctx: ActionContext<KubernetesTarget>, args: K8sScaleArgs): Promise<KubeSession> {
  const session = await openSession(ctx, args.namespace);
  assertReplicasAllowed(ctx.target, args.replicas);
  return session;
}

/** `k8s.scale`: set a deployment's replicas through its scale subresource, within the target's bounds. */
export const k8sScale: ActionDefinition<K8sScaleArgs, KubernetesTarget> = {
  name: "k8s.scale",
  kind: "remediation",
  targetType: "kubernetes",
  description: "Scale a deployment to a number of replicas within the target's configured bounds.",
  argsSchema: k8sScaleArgs,
  async preview(ctx, args) {
    const session = await check(ctx, args);
    const { current } = await readScale(session, args);
    const what = `deployment ${args.namespace}/${args.deployment}`;
    return {
      changes: [
        current === args.replicas
          ? `${what} replicas already ${current}: no change`
          : `${what} replicas ${current} → ${args.replicas}`,
      ],
      table: {
        columns: ["deployment", "current", "new", "allowed"],
        rows: [[what, current, args.replicas, `${ctx.target.scale?.min}–${ctx.target.scale?.max}`]],
      },
      expect: { replicas: current },
    };
  },
  async run(ctx, args) {
    const session = await check(ctx, args);
    const what = `deployment ${args.namespace}/${args.deployment}`;
    const { scale, current } = await readScale(session, args);
    if (args.expect && args.expect.replicas !== current)
      throw new FirebreakError(
        "conflict",
        `${what} now has ${current} replicas, not ${args.expect.replicas} as approved; nothing changed. Preview it again.`,
      );
    if (current === args.replicas)
      return { summary: `${what} already has ${current} replicas; nothing changed` };
    ctx.log.info(
      { target: ctx.target.name, deployment: what, from: current, to: args.replicas },
      "k8s.scale",
    );
    // Sending the resourceVersion read above makes the API server refuse (409) if anything moved meanwhile.
    const after = await session.call(what, (c) =>
      c.apps.replaceNamespacedDeploymentScale(
        {
          namespace: args.namespace,
          name: args.deployment,
          body: {
            apiVersion: "autoscaling/v1",
            kind: "Scale",
            metadata: {
              name: args.deployment,
              namespace: args.namespace,
              ...(scale.metadata?.resourceVersion ? { resourceVersion: scale.metadata.resourceVersion } : {}),
            },
            spec: { replicas: args.replicas },
          },
          fieldManager: "firebreak",
        },
        c.options,
      ),
    );
    return {
      summary: `${what} scaled ${current} → ${after.spec?.replicas ?? args.replicas} replicas`,
      table: {
        columns: ["deployment", "before", "after"],
        rows: [[what, current, after.spec?.replicas ?? args.replicas]],
      },
    };
  },
};
