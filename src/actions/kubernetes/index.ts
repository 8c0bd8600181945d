import type { ActionDefinition } from "../types.js";
import { k8sDeletePod } from "./delete-pod.js";
import { k8sEvents } from "./events.js";
import { k8sLogs } from "./logs.js";
import { k8sPods } from "./pods.js";
import { k8sRollback } from "./rollback.js";
import { k8sRolloutRestart } from "./rollout-restart.js";
import { k8sRolloutStatus } from "./rollout-status.js";
import { k8sScale } from "./scale.js";
import { assertNamespaceAllowed, assertReplicasAllowed } from "./target.js";
import type { KubernetesTarget } from "./target.js";
import { k8sTopPods } from "./top-pods.js";

export type { KubernetesTarget } from "./target.js";
export { assertNamespaceAllowed, assertReplicasAllowed } from "./target.js";
export { loadKubeConfig, kubeClients, type KubeClients } from "./client.js";
export { kubeError, statusOf, type KubeStatus } from "./errors.js";
export { k8sPods, k8sPodsArgs, type K8sPodsArgs } from "./pods.js";
export { k8sLogs, k8sLogsArgs, type K8sLogsArgs } from "./logs.js";
export { k8sTopPods, k8sTopPodsArgs, type K8sTopPodsArgs } from "./top-pods.js";
export { k8sEvents, k8sEventsArgs, type K8sEventsArgs } from "./events.js";
export {
  k8sRolloutStatus,
  k8sRolloutStatusArgs,
  rolloutState,
  type K8sRolloutStatusArgs,
} from "./rollout-status.js";
export {
  k8sRolloutRestart,
  k8sRolloutRestartArgs,
  RESTARTED_AT,
  type K8sRolloutRestartArgs,
} from "./rollout-restart.js";
export { k8sRollback, k8sRollbackArgs, type K8sRollbackArgs } from "./rollback.js";
export { k8sScale, k8sScaleArgs, type K8sScaleArgs } from "./scale.js";
export { k8sDeletePod, k8sDeletePodArgs, type K8sDeletePodArgs } from "./delete-pod.js";

/**
 * Every `k8s.*` action, for the catalog to register. None takes a free-form command or
 * manifest: each reaches one kind of object through typed, DNS-1123-checked names, and
 * only in the namespaces the target allows.
 */
export const kubernetesActions: readonly ActionDefinition<unknown, KubernetesTarget>[] = [
  k8sPods,
  k8sLogs,
  k8sTopPods,
  k8sEvents,
  k8sRolloutStatus,
  k8sRolloutRestart,
  k8sRollback,
  k8sScale,
  k8sDeletePod,
].map((action) => ({ ...action, check: checkKubernetesArgs }));

/** Before a request is accepted: the namespace is one the target allows, replicas within its bounds. */
function checkKubernetesArgs(target: KubernetesTarget, args: unknown): void {
  const a = args as { namespace?: unknown; replicas?: unknown };
  if (typeof a.namespace === "string") assertNamespaceAllowed(target, a.namespace);
  if (typeof a.replicas === "number") assertReplicasAllowed(target, a.replicas);
}
