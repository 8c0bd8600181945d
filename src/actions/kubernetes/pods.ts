import { z } from "zod";
import type { ActionDefinition } from "../types.js";
import { openSession } from "./call.js";
import { age, podHealthy, podPhase, podReady, podRestarts } from "./format.js";
import { labelSelectorArg, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

const LIMIT = 500;

export const k8sPodsArgs = z.strictObject({
  namespace: namespaceArg,
  /** Only pods matching this label selector, e.g. `app=web`. */
  labelSelector: labelSelectorArg.optional(),
});
/** Arguments of `k8s.pods`. */
export type K8sPodsArgs = z.infer<typeof k8sPodsArgs>;

/** `k8s.pods`: the pods of a namespace, like `kubectl get pods -o wide`. */
export const k8sPods: ActionDefinition<K8sPodsArgs, KubernetesTarget> = {
  name: "k8s.pods",
  kind: "diagnostic",
  targetType: "kubernetes",
  description: "List the pods of a namespace: phase, readiness, restarts, age and node.",
  argsSchema: k8sPodsArgs,
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const list = await session.call(`pods in namespace ${args.namespace}`, (c) =>
      c.core.listNamespacedPod(
        {
          namespace: args.namespace,
          limit: LIMIT,
          ...(args.labelSelector ? { labelSelector: args.labelSelector } : {}),
        },
        c.options,
      ),
    );
    const now = ctx.now();
    const pods = [...list.items].sort((a, b) =>
      (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
    );
    const unhealthy = pods.filter((p) => !podHealthy(p)).length;
    const scope = args.labelSelector ? `${args.namespace} matching ${args.labelSelector}` : args.namespace;
    const more = list.metadata?._continue ? ` (first ${LIMIT} shown)` : "";
    return {
      summary:
        `${pods.length} pod${pods.length === 1 ? "" : "s"} in ${scope}${more}` +
        (unhealthy > 0 ? `, ${unhealthy} not ready` : ", all ready"),
      status: unhealthy > 0 ? "warning" : "ok",
      table: {
        columns: ["name", "phase", "ready", "restarts", "age", "node"],
        rows: pods.map((p) => {
          const { ready, total } = podReady(p);
          return [
            p.metadata?.name ?? "",
            podPhase(p),
            `${ready}/${total}`,
            podRestarts(p),
            age(p.metadata?.creationTimestamp, now),
            p.spec?.nodeName ?? "",
          ];
        }),
      },
    };
  },
};
