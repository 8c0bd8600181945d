import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionDefinition } from "../types.js";
import { openSession } from "./call.js";
import { parseQuantity } from "./format.js";
import { labelSelectorArg, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

export const k8sTopPodsArgs = z.strictObject({
  namespace: namespaceArg,
  labelSelector: labelSelectorArg.optional(),
});
/** Arguments of `k8s.top_pods`. */
export type K8sTopPodsArgs = z.infer<typeof k8sTopPodsArgs>;

/** The part of a `metrics.k8s.io/v1beta1` PodMetricsList this action reads. */
const podMetricsList = z.object({
  items: z.array(
    z.object({
      metadata: z.object({ name: z.string() }),
      containers: z.array(z.object({ usage: z.record(z.string(), z.string()).optional() })).default([]),
    }),
  ),
});

/** `k8s.top_pods`: CPU and memory per pod from metrics.k8s.io, like `kubectl top pod`. */
export const k8sTopPods: ActionDefinition<K8sTopPodsArgs, KubernetesTarget> = {
  name: "k8s.top_pods",
  kind: "diagnostic",
  targetType: "kubernetes",
  description: "CPU (millicores) and memory (MiB) per pod, busiest first, from metrics-server.",
  argsSchema: k8sTopPodsArgs,
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const subject = `pod metrics (metrics.k8s.io) in namespace ${args.namespace}`;
    const raw: unknown = await session
      .call(subject, (c) =>
        c.custom.listNamespacedCustomObject(
          {
            group: "metrics.k8s.io",
            version: "v1beta1",
            namespace: args.namespace,
            plural: "pods",
            ...(args.labelSelector ? { labelSelector: args.labelSelector } : {}),
          },
          c.options,
        ),
      )
      .catch((err: unknown) => {
        if (err instanceof FirebreakError && err.code === "not_found")
          throw new FirebreakError(
            "dependency_unavailable",
            `Kubernetes target ${ctx.target.name} does not serve metrics.k8s.io: is metrics-server installed?`,
            { cause: err },
          );
        throw err;
      });
    const parsed = podMetricsList.safeParse(raw);
    if (!parsed.success)
      throw new FirebreakError(
        "action_failed",
        `Kubernetes target ${ctx.target.name} sent pod metrics in an unknown shape.`,
      );
    const rows = parsed.data.items.map((item) => {
      let cores = 0;
      let bytes = 0;
      for (const c of item.containers) {
        cores += parseQuantity(c.usage?.cpu ?? "0") || 0;
        bytes += parseQuantity(c.usage?.memory ?? "0") || 0;
      }
      // kubectl rounds CPU up to the next millicore and memory down to the MiB.
      return [
        item.metadata.name,
        Math.ceil(Math.round(cores * 1e9) / 1e6),
        Math.floor(bytes / 2 ** 20),
      ] as const;
    });
    rows.sort((a, b) => b[1] - a[1] || b[2] - a[2] || a[0].localeCompare(b[0]));
    const cpu = rows.reduce((n, r) => n + r[1], 0);
    const memory = rows.reduce((n, r) => n + r[2], 0);
    return {
      summary:
        rows.length === 0
          ? `no pod metrics in ${args.namespace}${args.labelSelector ? ` matching ${args.labelSelector}` : ""}`
          : `${rows.length} pod${rows.length === 1 ? "" : "s"} in ${args.namespace}: ${cpu}m CPU, ${memory} MiB memory in total`,
      table: { columns: ["pod", "cpu (millicores)", "memory (MiB)"], rows: rows.map((r) => [...r]) },
    };
  },
};
