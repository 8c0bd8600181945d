import type { V1Pod } from "@kubernetes/client-node";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionDefinition } from "../types.js";
import { openSession } from "./call.js";
import { boolArg, dnsLabel, dnsSubdomain, intArg, namespaceArg } from "./schemas.js";
import type { KubernetesTarget } from "./target.js";

/** Logs beyond this are cut: enough for any tail, never a memory problem. */
const LIMIT_BYTES = 1024 * 1024;
const DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";

export const k8sLogsArgs = z.strictObject({
  namespace: namespaceArg,
  pod: dnsSubdomain("pod"),
  /** Which container; the pod's default (or only) one when omitted. */
  container: dnsLabel("container").optional(),
  /** Last lines to fetch, 1–2000. */
  tail: intArg(1, 2000).default(100),
  /** The previous instance of the container: why did it crash? */
  previous: boolArg.default(false),
});
/** Arguments of `k8s.logs`. */
export type K8sLogsArgs = z.infer<typeof k8sLogsArgs>;

/** The container to read, chosen as kubectl chooses it; refuses ambiguity rather than guessing. */
function chooseContainer(pod: V1Pod, wanted: string | undefined, subject: string): string {
  const names = (pod.spec?.containers ?? []).map((c) => c.name);
  if (wanted) {
    if (names.includes(wanted)) return wanted;
    throw new FirebreakError(
      "input_invalid",
      `${subject} has no container ${wanted} (containers: ${names.join(", ")}).`,
    );
  }
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER];
  if (annotated && names.includes(annotated)) return annotated;
  if (names.length === 1) return names[0]!;
  throw new FirebreakError(
    "input_invalid",
    `${subject} has ${names.length} containers (${names.join(", ")}): say which one with container=.`,
  );
}

/** `k8s.logs`: the last lines of one container's log, current or previous instance. */
export const k8sLogs: ActionDefinition<K8sLogsArgs, KubernetesTarget> = {
  name: "k8s.logs",
  kind: "diagnostic",
  targetType: "kubernetes",
  description: "Show the last lines of a pod's container log (or of its previous, crashed instance).",
  argsSchema: k8sLogsArgs,
  async run(ctx, args) {
    const session = await openSession(ctx, args.namespace);
    const subject = `pod ${args.namespace}/${args.pod}`;
    const pod = await session.call(subject, (c) =>
      c.core.readNamespacedPod({ namespace: args.namespace, name: args.pod }, c.options),
    );
    const container = chooseContainer(pod, args.container, subject);
    const restarts = pod.status?.containerStatuses?.find((c) => c.name === container)?.restartCount ?? 0;
    if (args.previous && restarts === 0)
      throw new FirebreakError(
        "not_found",
        `Container ${container} of ${subject} has not restarted, so there is no previous log; drop previous=true.`,
      );
    const text = await session.call(`log of container ${container} in ${subject}`, (c) =>
      c.core.readNamespacedPodLog(
        {
          namespace: args.namespace,
          name: args.pod,
          container,
          tailLines: args.tail,
          previous: args.previous,
          limitBytes: LIMIT_BYTES,
        },
        c.options,
      ),
    );
    const lines = text === "" ? 0 : text.replace(/\n$/, "").split("\n").length;
    const which = args.previous ? "previous instance of container" : "container";
    return {
      summary: `${subject}, ${which} ${container}: ${lines === 0 ? "no log lines" : `last ${lines} line${lines === 1 ? "" : "s"}`}`,
      text,
    };
  },
};
