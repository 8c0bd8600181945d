import { FirebreakError } from "../../core/errors.js";

/** A configured Kubernetes cluster (one kubeconfig context) that `k8s.*` actions reach. */
export interface KubernetesTarget {
  /** Name used in the catalog and in messages. */
  readonly name: string;
  /** Path of a kubeconfig file, or the kubeconfig YAML itself. Holds credentials: never log it. */
  readonly kubeconfig: string;
  /** Context to use; the kubeconfig's `current-context` when omitted. */
  readonly context?: string;
  /** The only namespaces any action may read or change. */
  readonly namespaces: readonly string[];
  /** Replica bounds for `k8s.scale`; without them scaling is refused. */
  readonly scale?: { readonly min: number; readonly max: number };
}

/** Refuses a namespace the target does not allow, naming the ones it does. */
export function assertNamespaceAllowed(target: KubernetesTarget, namespace: string): void {
  if (target.namespaces.includes(namespace)) return;
  const allowed = target.namespaces.length > 0 ? target.namespaces.join(", ") : "none";
  throw new FirebreakError(
    "forbidden",
    `Namespace ${namespace} is not allowed on Kubernetes target ${target.name} (allowed: ${allowed}); nothing was read or changed.`,
    { details: { namespace, allowed: [...target.namespaces] } },
  );
}

/** Refuses a replica count outside the target's `scale` bounds, naming them. */
export function assertReplicasAllowed(target: KubernetesTarget, replicas: number): void {
  const bounds = target.scale;
  if (!bounds)
    throw new FirebreakError(
      "forbidden",
      `Scaling is not enabled on Kubernetes target ${target.name}: configure its scale bounds (min and max replicas) first; nothing changed.`,
    );
  if (replicas < bounds.min || replicas > bounds.max)
    throw new FirebreakError(
      "forbidden",
      `${replicas} replicas is outside the bounds allowed on Kubernetes target ${target.name} (${bounds.min}–${bounds.max}); nothing changed.`,
      { details: { replicas, min: bounds.min, max: bounds.max } },
    );
}
