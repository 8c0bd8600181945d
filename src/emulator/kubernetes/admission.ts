import { reconcileDeployment } from "./deployment-controller.js";
import { controllerOf } from "./pods.js";
import { reconcileReplicaSet, reconcileStatefulSet } from "./replica-controllers.js";
import { DEPLOYMENT, POD, REPLICA_SET, STATEFUL_SET, storeKey, type ResourceDef } from "./resources.js";
import { matchesSelectorSpec } from "./selectors.js";
import { invalid } from "./status.js";
import type { KubeStore } from "./store.js";
import type { Deployment, KubeObject, ReplicaSet } from "./types.js";

const WORKLOADS = new Set(["Deployment", "ReplicaSet", "StatefulSet"]);

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Validation and defaulting the API server applies before storing a write: the checks
 * the remediations can trip over (replicas, selector) and `metadata.generation`, which
 * moves on every spec change so that rollout status can tell an observed spec from a new one.
 */
export function admit(def: ResourceDef, old: KubeObject | undefined, next: KubeObject): KubeObject {
  if (!WORKLOADS.has(def.kind)) return next;
  const name = next.metadata.name;
  const spec = (next as Deployment).spec;
  const replicas = spec?.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    throw invalid(def.kind, def.group, name, "spec.replicas", replicas, "must be greater than or equal to 0");
  }
  if (old && !same((old as Deployment).spec?.selector, spec?.selector)) {
    throw invalid(def.kind, def.group, name, "spec.selector", spec?.selector ?? null, "field is immutable");
  }
  if (spec?.selector && !matchesSelectorSpec(spec.selector, spec.template?.metadata?.labels)) {
    throw invalid(
      def.kind,
      def.group,
      name,
      "spec.template.metadata.labels",
      spec.template?.metadata?.labels ?? {},
      "`selector` does not match template `labels`",
    );
  }
  const generation = old?.metadata.generation ?? 1;
  const changed = old !== undefined && !same((old as Deployment).spec, spec);
  return { ...next, metadata: { ...next.metadata, generation: changed ? generation + 1 : generation } };
}

/** What the controllers do after a write: roll deployments, replace deleted pods, scale sets. */
export function afterWrite(store: KubeStore, def: ResourceDef, obj: KubeObject, deleted: boolean): void {
  const namespace = obj.metadata.namespace ?? "default";
  if (def.kind === "Deployment" && !deleted) reconcileDeployment(store, namespace, obj.metadata.name);
  if (def.kind === "ReplicaSet" && !deleted) {
    const owner = obj.metadata.ownerReferences?.find((o) => o.controller && o.kind === "Deployment");
    if (owner) reconcileDeployment(store, namespace, owner.name);
    else reconcileReplicaSet(store, obj);
  }
  if (def.kind === "StatefulSet" && !deleted) reconcileStatefulSet(store, obj);
  if (def.kind === "Pod" && deleted) {
    const owner = controllerOf(obj);
    if (owner?.kind === "ReplicaSet") {
      const rs = store.get<ReplicaSet>(storeKey(REPLICA_SET), namespace, owner.name);
      const deployment = rs?.metadata.ownerReferences?.find((o) => o.controller && o.kind === "Deployment");
      if (deployment) reconcileDeployment(store, namespace, deployment.name);
      else if (rs) reconcileReplicaSet(store, rs);
    }
    if (owner?.kind === "StatefulSet") {
      const sts = store.get(storeKey(STATEFUL_SET), namespace, owner.name);
      if (sts) reconcileStatefulSet(store, sts);
    }
  }
}

/** The garbage collector: objects whose owner is gone go too (background propagation). */
export function collectGarbage(store: KubeStore, ownerUid: string, namespace: string | undefined): void {
  for (const def of [DEPLOYMENT, REPLICA_SET, STATEFUL_SET, POD]) {
    for (const obj of store.list(storeKey(def), namespace)) {
      if (!obj.metadata.ownerReferences?.some((o) => o.uid === ownerUid)) continue;
      store.remove(storeKey(def), obj.metadata.namespace, obj.metadata.name);
      if (def === POD) store.logs.delete(`${obj.metadata.namespace}/${obj.metadata.name}`);
      collectGarbage(store, obj.metadata.uid ?? "", namespace);
    }
  }
}
