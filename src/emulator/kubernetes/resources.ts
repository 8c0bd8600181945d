/**
 * The resources the fake serves, described once: routing, discovery documents and
 * fixture loading all read this table, so a resource is either fully served or absent.
 */
export interface ResourceDef {
  /** API group, `""` for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly subresources?: readonly SubresourceDef[];
  /** Where objects live in the store when this is another view of a stored resource. */
  readonly storedAs?: string;
}

export interface SubresourceDef {
  readonly name: string;
  readonly kind: string;
  readonly group?: string;
  readonly version?: string;
  readonly verbs: readonly string[];
}

const CRUD = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"] as const;
const scale: SubresourceDef = {
  name: "scale",
  kind: "Scale",
  group: "autoscaling",
  version: "v1",
  verbs: ["get", "patch", "update"],
};
const status = (kind: string): SubresourceDef => ({
  name: "status",
  kind,
  verbs: ["get", "patch", "update"],
});

export const RESOURCES: readonly ResourceDef[] = [
  {
    group: "",
    version: "v1",
    plural: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    namespaced: false,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    shortNames: ["ns"],
    subresources: [status("Namespace")],
  },
  {
    group: "",
    version: "v1",
    plural: "nodes",
    singular: "node",
    kind: "Node",
    namespaced: false,
    verbs: CRUD,
    shortNames: ["no"],
    subresources: [status("Node")],
  },
  {
    group: "",
    version: "v1",
    plural: "pods",
    singular: "pod",
    kind: "Pod",
    namespaced: true,
    verbs: CRUD,
    shortNames: ["po"],
    categories: ["all"],
    subresources: [{ name: "log", kind: "Pod", verbs: ["get"] }, status("Pod")],
  },
  {
    group: "",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    verbs: CRUD,
    shortNames: ["ev"],
  },
  {
    group: "apps",
    version: "v1",
    plural: "deployments",
    singular: "deployment",
    kind: "Deployment",
    namespaced: true,
    verbs: CRUD,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: [scale, status("Deployment")],
  },
  {
    group: "apps",
    version: "v1",
    plural: "replicasets",
    singular: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    verbs: CRUD,
    shortNames: ["rs"],
    categories: ["all"],
    subresources: [scale, status("ReplicaSet")],
  },
  {
    group: "apps",
    version: "v1",
    plural: "statefulsets",
    singular: "statefulset",
    kind: "StatefulSet",
    namespaced: true,
    verbs: CRUD,
    shortNames: ["sts"],
    categories: ["all"],
    subresources: [scale, status("StatefulSet")],
  },
  {
    group: "events.k8s.io",
    version: "v1",
    plural: "events",
    singular: "event",
    kind: "Event",
    namespaced: true,
    // A read-only view of the core events: writes go through /api/v1.
    verbs: ["get", "list", "watch"],
    shortNames: ["ev"],
    storedAs: "/events",
  },
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    plural: "pods",
    singular: "",
    kind: "PodMetrics",
    namespaced: true,
    verbs: ["get", "list"],
  },
  {
    group: "metrics.k8s.io",
    version: "v1beta1",
    plural: "nodes",
    singular: "",
    kind: "NodeMetrics",
    namespaced: false,
    verbs: ["get", "list"],
  },
];

/** The store key of a resource: `group/plural` (`/pods`, `apps/deployments`). */
export function storeKey(def: ResourceDef): string {
  return def.storedAs ?? `${def.group}/${def.plural}`;
}

export function groupOf(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(def: { group: string; version: string }): string {
  return def.group === "" ? def.version : `${def.group}/${def.version}`;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function findResourceByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  const { group, version } = groupOf(apiVersion);
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === kind && !r.storedAs);
}

/** `deployments.apps`, `pods`: how the API server names a resource in messages. */
export function qualifiedName(def: { group: string; plural: string }): string {
  return def.group === "" ? def.plural : `${def.plural}.${def.group}`;
}

export const POD = RESOURCES.find((r) => r.kind === "Pod")!;
export const DEPLOYMENT = RESOURCES.find((r) => r.kind === "Deployment")!;
export const REPLICA_SET = RESOURCES.find((r) => r.kind === "ReplicaSet")!;
export const STATEFUL_SET = RESOURCES.find((r) => r.kind === "StatefulSet")!;
export const EVENT = RESOURCES.find((r) => r.kind === "Event" && r.group === "")!;
export const NAMESPACE = RESOURCES.find((r) => r.kind === "Namespace")!;
export const POD_METRICS = RESOURCES.find((r) => r.kind === "PodMetrics")!;
