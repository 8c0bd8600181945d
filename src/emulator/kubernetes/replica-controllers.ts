import { controllerOf, isPodReady, randomSuffix, removePod, startPod } from "./pods.js";
import { recordEvent } from "./recorder.js";
import { POD, REPLICA_SET, STATEFUL_SET, storeKey } from "./resources.js";
import type { KubeStore } from "./store.js";
import type { KubeObject, OwnerReference, Pod, ReplicaSet } from "./types.js";

export const ownerRef = (owner: KubeObject): OwnerReference => ({
  apiVersion: owner.apiVersion,
  kind: owner.kind,
  name: owner.metadata.name,
  uid: owner.metadata.uid ?? "",
  controller: true,
  blockOwnerDeletion: true,
});

/** Pods whose controller is `owner`. */
export function podsOwnedBy(store: KubeStore, owner: KubeObject): Pod[] {
  return store
    .list<Pod>(storeKey(POD), owner.metadata.namespace)
    .filter((p) => controllerOf(p)?.uid === owner.metadata.uid);
}

/** The ReplicaSet controller's order for scaling down: unready, most restarted, newest first. */
function deletionRank(a: Pod, b: Pod): number {
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready !== 0) return ready;
  const restarts = (p: Pod) =>
    Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
  const byRestarts = restarts(b) - restarts(a);
  if (byRestarts !== 0) return byRestarts;
  return (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "");
}

function writeStatusIfChanged(
  store: KubeStore,
  key: string,
  obj: KubeObject,
  status: Record<string, unknown>,
) {
  if (JSON.stringify(obj.status) === JSON.stringify(status)) return;
  store.update(key, { ...obj, status });
}

/** Brings a ReplicaSet's pods to `spec.replicas` and updates its status. */
export function reconcileReplicaSet(store: KubeStore, rs: ReplicaSet): void {
  const namespace = rs.metadata.namespace ?? "default";
  const desired = rs.spec?.replicas ?? 1;
  const pods = podsOwnedBy(store, rs);
  for (let i = pods.length; i < desired; i++) {
    const pod = startPod(
      store,
      rs.spec?.template,
      namespace,
      `${rs.metadata.name}-${randomSuffix()}`,
      ownerRef(rs),
    );
    recordEvent(
      store,
      rs,
      "Normal",
      "SuccessfulCreate",
      `Created pod: ${pod.metadata.name}`,
      "replicaset-controller",
    );
  }
  for (const pod of pods.sort(deletionRank).slice(0, Math.max(0, pods.length - desired))) {
    removePod(store, namespace, pod.metadata.name);
    recordEvent(
      store,
      rs,
      "Normal",
      "SuccessfulDelete",
      `Deleted pod: ${pod.metadata.name}`,
      "replicaset-controller",
    );
  }
  const current = store.get<ReplicaSet>(storeKey(REPLICA_SET), namespace, rs.metadata.name);
  if (!current) return;
  const now = podsOwnedBy(store, current);
  const ready = now.filter(isPodReady).length;
  writeStatusIfChanged(store, storeKey(REPLICA_SET), current, {
    replicas: now.length,
    fullyLabeledReplicas: now.length,
    readyReplicas: ready,
    availableReplicas: ready,
    observedGeneration: current.metadata.generation ?? 1,
  });
}

/** Brings a StatefulSet's ordinal pods (`name-0`, `name-1`, …) to `spec.replicas`. */
export function reconcileStatefulSet(store: KubeStore, sts: KubeObject): void {
  const namespace = sts.metadata.namespace ?? "default";
  const spec = sts.spec as ReplicaSet["spec"];
  const desired = spec?.replicas ?? 1;
  const template = spec?.template;
  const pods = podsOwnedBy(store, sts);
  const ordinal = (p: Pod) => Number(p.metadata.name.slice(sts.metadata.name.length + 1));
  for (let i = 0; i < desired; i++) {
    const name = `${sts.metadata.name}-${i}`;
    if (pods.some((p) => p.metadata.name === name)) continue;
    startPod(store, template, namespace, name, ownerRef(sts));
    recordEvent(
      store,
      sts,
      "Normal",
      "SuccessfulCreate",
      `create Pod ${name} in StatefulSet ${sts.metadata.name} successful`,
      "statefulset-controller",
    );
  }
  for (const pod of pods.filter((p) => ordinal(p) >= desired)) {
    removePod(store, namespace, pod.metadata.name);
    recordEvent(
      store,
      sts,
      "Normal",
      "SuccessfulDelete",
      `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
      "statefulset-controller",
    );
  }
  const current = store.get(storeKey(STATEFUL_SET), namespace, sts.metadata.name);
  if (!current) return;
  const now = podsOwnedBy(store, current);
  const ready = now.filter(isPodReady).length;
  writeStatusIfChanged(store, storeKey(STATEFUL_SET), current, {
    ...(current.status as Record<string, unknown> | undefined),
    observedGeneration: current.metadata.generation ?? 1,
    replicas: now.length,
    readyReplicas: ready,
    currentReplicas: now.length,
    updatedReplicas: now.length,
    availableReplicas: ready,
  });
}
