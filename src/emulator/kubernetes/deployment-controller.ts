import { NAME_ALPHABET, isPodReady } from "./pods.js";
import { recordEvent } from "./recorder.js";
import { ownerRef, podsOwnedBy, reconcileReplicaSet } from "./replica-controllers.js";
import { DEPLOYMENT, REPLICA_SET, storeKey } from "./resources.js";
import { timestamp, type KubeStore } from "./store.js";
import type { Condition, Deployment, PodTemplate, ReplicaSet } from "./types.js";

export const REVISION = "deployment.kubernetes.io/revision";
const REVISION_HISTORY = "deployment.kubernetes.io/revision-history";
const HASH_LABEL = "pod-template-hash";
const D = storeKey(DEPLOYMENT);
const RS = storeKey(REPLICA_SET);

/** Drops null and empty fields, recursively. */
function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(prune);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    const p = prune(v);
    const empty =
      p === undefined ||
      p === null ||
      (Array.isArray(p) && p.length === 0) ||
      (typeof p === "object" && !Array.isArray(p) && Object.keys(p).length === 0);
    if (!empty) out[k] = p;
  }
  return out;
}

/**
 * JSON with sorted keys and without null or empty fields: equal templates compare equal
 * whatever the key order, and a template that went through a Go client
 * (`creationTimestamp: null`) still matches the one it came from, as the controller's
 * semantic comparison has it.
 */
const canonical = (value: unknown): string => JSON.stringify(prune(value)) ?? "";

/** A template without the `pod-template-hash` label: what the controller compares. */
function bareTemplate(template: PodTemplate | undefined): string {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[HASH_LABEL];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return canonical(copy);
}

/** `pod-template-hash` as Kubernetes computes it: FNV-1a 32, its decimal digits mapped to the safe alphabet. */
export function templateHash(template: PodTemplate | undefined): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(bareTemplate(template))) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return [...String(hash)].map((c) => NAME_ALPHABET[c.charCodeAt(0) % NAME_ALPHABET.length]).join("");
}

export const revisionOf = (rs: ReplicaSet) => Number(rs.metadata.annotations?.[REVISION] ?? "0") || 0;

function resolvePercent(
  value: number | string | undefined,
  total: number,
  fallback: string,
  roundUp: boolean,
) {
  const v = value ?? fallback;
  if (typeof v === "number") return v;
  const percent = Number(v.replace("%", "")) / 100;
  return roundUp ? Math.ceil(percent * total) : Math.floor(percent * total);
}

function newReplicaSet(store: KubeStore, dep: Deployment, revision: number): ReplicaSet {
  const hash = templateHash(dep.spec?.template);
  const template = structuredClone(dep.spec?.template ?? {});
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [HASH_LABEL]: hash } };
  const selector = structuredClone(dep.spec?.selector ?? {});
  selector.matchLabels = { ...selector.matchLabels, [HASH_LABEL]: hash };
  return store.create(RS, {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${dep.metadata.name}-${hash}`,
      namespace: dep.metadata.namespace ?? "default",
      labels: { ...template.metadata.labels },
      annotations: { [REVISION]: String(revision) },
      ownerReferences: [ownerRef(dep)],
    },
    spec: { replicas: 0, selector, template },
    status: { replicas: 0 },
  });
}

function scaleReplicaSet(store: KubeStore, dep: Deployment, rs: ReplicaSet, replicas: number, surge: number) {
  const from = rs.spec?.replicas ?? 0;
  const annotations = {
    ...rs.metadata.annotations,
    "deployment.kubernetes.io/desired-replicas": String(dep.spec?.replicas ?? 1),
    "deployment.kubernetes.io/max-replicas": String((dep.spec?.replicas ?? 1) + surge),
  };
  if (from === replicas && canonical(annotations) === canonical(rs.metadata.annotations)) return;
  store.update(RS, { ...rs, metadata: { ...rs.metadata, annotations }, spec: { ...rs.spec, replicas } });
  if (from === replicas) return;
  const verb = replicas > from ? "up" : "down";
  const message = `Scaled ${verb} replica set ${rs.metadata.name} from ${from} to ${replicas}`;
  recordEvent(store, dep, "Normal", "ScalingReplicaSet", message, "deployment-controller");
}

function condition(old: Condition[] | undefined, next: Condition, now: string): Condition {
  const prev = old?.find((c) => c.type === next.type);
  const same = prev?.status === next.status && prev.reason === next.reason && prev.message === next.message;
  if (same) return prev;
  return {
    ...next,
    lastUpdateTime: now,
    lastTransitionTime: prev?.status === next.status ? (prev.lastTransitionTime ?? now) : now,
  };
}

/**
 * The deployment controller, completing a rollout at once: the ReplicaSet whose template
 * matches the deployment's becomes the newest revision (created if none matches, reused
 * with a new revision number on rollback), gets all the replicas, and every older one is
 * scaled to zero; then status and conditions are recomputed from the pods.
 */
export function reconcileDeployment(store: KubeStore, namespace: string, name: string): void {
  const dep = store.get<Deployment>(D, namespace, name);
  if (!dep) return;
  const owned = store
    .list<ReplicaSet>(RS, namespace)
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === dep.metadata.uid));
  const desired = dep.spec?.replicas ?? 1;
  const strategy = dep.spec?.strategy?.rollingUpdate;
  const surge = resolvePercent(strategy?.maxSurge, desired, "25%", true);
  const maxRevision = Math.max(0, ...owned.map(revisionOf));
  const wanted = bareTemplate(dep.spec?.template);
  let current = owned.find((rs) => bareTemplate(rs.spec?.template) === wanted);

  if (!dep.spec?.paused) {
    if (!current) {
      current = newReplicaSet(store, dep, maxRevision + 1);
    } else if (revisionOf(current) < maxRevision) {
      const history = [current.metadata.annotations?.[REVISION_HISTORY], String(revisionOf(current))].filter(
        Boolean,
      );
      const annotations = {
        ...current.metadata.annotations,
        [REVISION]: String(maxRevision + 1),
        [REVISION_HISTORY]: history.join(","),
      };
      current = store.update(RS, {
        ...current,
        metadata: { ...current.metadata, annotations },
      });
    }
    for (const rs of owned) {
      if (rs.metadata.uid === current.metadata.uid) continue;
      scaleReplicaSet(store, dep, rs, 0, surge);
    }
    scaleReplicaSet(store, dep, current, desired, surge);
  }
  for (const rs of store.list<ReplicaSet>(RS, namespace)) {
    if (rs.metadata.ownerReferences?.some((o) => o.uid === dep.metadata.uid)) reconcileReplicaSet(store, rs);
  }
  updateDeploymentStatus(store, namespace, name, current);
}

function updateDeploymentStatus(
  store: KubeStore,
  namespace: string,
  name: string,
  current: ReplicaSet | undefined,
) {
  const dep = store.get<Deployment>(D, namespace, name);
  if (!dep) return;
  const now = timestamp(store.now());
  const owned = store
    .list<ReplicaSet>(RS, namespace)
    .filter((rs) => rs.metadata.ownerReferences?.some((o) => o.controller && o.uid === dep.metadata.uid));
  const pods = owned.flatMap((rs) => podsOwnedBy(store, rs));
  const updated = current ? podsOwnedBy(store, current).length : 0;
  const ready = pods.filter(isPodReady).length;
  const desired = dep.spec?.replicas ?? 1;
  const total = owned.reduce((n, rs) => n + (rs.spec?.replicas ?? 0), 0);
  const maxUnavailable = resolvePercent(
    dep.spec?.strategy?.rollingUpdate?.maxUnavailable,
    desired,
    "25%",
    false,
  );
  const available = ready >= desired - maxUnavailable;
  const old = dep.status ?? {};
  const complete = updated === desired && pods.length === desired && ready === desired;
  // Like the real controller, Progressing only moves while replicas move: a pod that turns
  // unready after a finished rollout leaves NewReplicaSetAvailable in place.
  const moved =
    updated > (old.updatedReplicas ?? 0) ||
    ready > (old.readyReplicas ?? 0) ||
    ready > (old.availableReplicas ?? 0) ||
    pods.length < (old.replicas ?? 0);
  const rsName = current?.metadata.name ?? "";
  const availableCondition: Condition = available
    ? {
        type: "Available",
        status: "True",
        reason: "MinimumReplicasAvailable",
        message: "Deployment has minimum availability.",
      }
    : {
        type: "Available",
        status: "False",
        reason: "MinimumReplicasUnavailable",
        message: "Deployment does not have minimum availability.",
      };
  const previousProgressing = old.conditions?.find((c) => c.type === "Progressing");
  const progressingCondition: Condition = dep.spec?.paused
    ? { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" }
    : complete
      ? {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
        }
      : moved || !previousProgressing
        ? {
            type: "Progressing",
            status: "True",
            reason: "ReplicaSetUpdated",
            message: `ReplicaSet "${rsName}" is progressing.`,
          }
        : previousProgressing;
  const next = [availableCondition, progressingCondition].map((c) => condition(old.conditions, c, now));
  // Conditions keep their places; a new type is appended.
  const conditions = [
    ...(old.conditions ?? []).map((c) => next.find((n) => n.type === c.type) ?? c),
    ...next.filter((n) => !old.conditions?.some((c) => c.type === n.type)),
  ];
  const status = {
    observedGeneration: dep.metadata.generation ?? 1,
    replicas: pods.length,
    updatedReplicas: updated,
    readyReplicas: ready,
    availableReplicas: ready,
    ...(total - ready > 0 ? { unavailableReplicas: total - ready } : {}),
    conditions,
  };
  const revision = current ? String(revisionOf(current)) : dep.metadata.annotations?.[REVISION];
  const annotations = { ...dep.metadata.annotations, ...(revision ? { [REVISION]: revision } : {}) };
  if (
    canonical(status) === canonical(dep.status) &&
    canonical(annotations) === canonical(dep.metadata.annotations)
  )
    return;
  store.update(D, { ...dep, metadata: { ...dep.metadata, annotations }, status });
}
