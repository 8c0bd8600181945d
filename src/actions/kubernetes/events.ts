import type { CoreV1Event } from "@kubernetes/client-node";
import { z } from "zod";
import type { ActionDefinition } from "../types.js";
import { openSession } from "./call.js";
import { age } from "./format.js";
import { dnsSubdomain, intArg, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

export const k8sEventsArgs = z.strictObject({
  namespace: namespaceArg,
  /** Only events about the object of this name (a pod, a deployment, …). */
  object: dnsSubdomain("object").optional(),
  /** Newest events to show, 1–200. */
  limit: intArg(1, 200).default(50),
});
/** Arguments of `k8s.events`. */
export type K8sEventsArgs = z.infer<typeof k8sEventsArgs>;

/** When an event last happened: series, last timestamp, event time, first timestamp, creation. */
function lastSeen(e: CoreV1Event): Date | undefined {
  const t =
    e.series?.lastObservedTime ??
    e.lastTimestamp ??
    e.eventTime ??
    e.firstTimestamp ??
    e.metadata.creationTimestamp;
  return t ? new Date(t) : undefined;
}

/** `k8s.events`: recent events of a namespace (or of one object in it), newest first. */
export const k8sEvents: ActionDefinition<K8sEventsArgs, KubernetesTarget> = {
  name: "k8s.events",
  kind: "diagnostic",
  targetType: "kubernetes",
  description: "Recent events of a namespace, or of one object in it, newest first.",
  argsSchema: k8sEventsArgs,
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const list = await session.call(`events in namespace ${args.namespace}`, (c) =>
      c.core.listNamespacedEvent(
        {
          namespace: args.namespace,
          ...(args.object ? { fieldSelector: `involvedObject.name=${args.object}` } : {}),
        },
        c.options,
      ),
    );
    const now = ctx.now();
    const events = [...list.items]
      .sort((a, b) => (lastSeen(b)?.getTime() ?? 0) - (lastSeen(a)?.getTime() ?? 0))
      .slice(0, args.limit);
    const warnings = events.filter((e) => e.type === "Warning").length;
    const scope = args.object ? `${args.object} in ${args.namespace}` : args.namespace;
    return {
      summary:
        events.length === 0
          ? `no events for ${scope}`
          : `${events.length} newest event${events.length === 1 ? "" : "s"} for ${scope}, ${warnings} warning${warnings === 1 ? "" : "s"}`,
      status: warnings > 0 ? "warning" : "ok",
      table: {
        columns: ["type", "reason", "object", "message", "age", "count"],
        rows: events.map((e) => [
          e.type ?? "",
          e.reason ?? "",
          `${e.involvedObject.kind ?? ""}/${e.involvedObject.name ?? ""}`,
          e.message ?? "",
          age(lastSeen(e), now),
          e.series?.count ?? e.count ?? 1,
        ]),
      },
    };
  },
};
