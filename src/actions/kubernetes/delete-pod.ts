import type { V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionDefinition } from "../types.js";
import { openSession, type KubeSession } from "./call.js";
import { age, podPhase, podReady, podRestarts } from "./format.js";
import { dnsSubdomain, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

export const k8sDeletePodArgs = z.strictObject({
  namespace: namespaceArg,
  pod: dnsSubdomain("pod"),
  /** The preview's `expect`: only the very pod the approver saw (same uid) is deleted. */
  expect: z.strictObject({ uid: z.string().min(1).max(64) }).optional(),
});
/** Arguments of `k8s.delete_pod`. */
export type K8sDeletePodArgs = z.infer<typeof k8sDeletePodArgs>;

async function readPod(session: KubeSession, args: K8sDeletePodArgs): Promise<V1Pod> {
  return session.call(`pod ${args.namespace}/${args.pod}`, (c) =>
    c.core.readNamespacedPod({ namespace: args.namespace, name: args.pod }, c.options),
  );
}

/** What happens after the deletion: does a controller bring the pod back? */
function aftermath(pod: V1Pod): string {
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller);
  return owner
    ? `${owner.kind} ${owner.name} will create a replacement`
    : "no controller owns it: it will NOT be recreated";
}

/** `k8s.delete_pod`: delete one pod (gracefully) so that its controller replaces it. */
export const k8sDeletePod: ActionDefinition<K8sDeletePodArgs, KubernetesTarget> = {
  name: "k8s.delete_pod",
  kind: "remediation",
  targetType: "kubernetes",
  description: "Delete one pod gracefully so that its ReplicaSet or StatefulSet replaces it.",
  argsSchema: k8sDeletePodArgs,
  async preview(ctx, args) {
    const pod = await readPod(await openSession(ctx, args.namespace), args);
    const { ready, total } = podReady(pod);
    return {
      changes: [`pod ${args.namespace}/${args.pod} deleted; ${aftermath(pod)}`],
      table: {
        columns: ["pod", "phase", "ready", "restarts", "age", "node"],
        rows: [
          [
            args.pod,
            podPhase(pod),
            `${ready}/${total}`,
            podRestarts(pod),
            age(pod.metadata?.creationTimestamp, ctx.now()),
            pod.spec?.nodeName ?? "",
          ],
        ],
      },
      expect: { uid: pod.metadata?.uid ?? "" },
    };
  },
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const what = `pod ${args.namespace}/${args.pod}`;
    const pod = await readPod(session, args);
    const uid = pod.metadata?.uid ?? "";
    if (args.expect && args.expect.uid !== uid)
      throw new FirebreakError(
        "conflict",
        `${what} is no longer the pod that was approved (it was replaced since the preview); nothing was deleted. Preview it again.`,
      );
    ctx.log.info({ target: ctx.target.name, pod: what }, "k8s.delete_pod");
    // The uid precondition makes the API server refuse if the pod was replaced in between.
    await session.call(what, (c) =>
      c.core.deleteNamespacedPod(
        { namespace: args.namespace, name: args.pod, body: { preconditions: { uid } } },
        c.options,
      ),
    );
    return { summary: `${what} deleted; ${aftermath(pod)}` };
  },
};
