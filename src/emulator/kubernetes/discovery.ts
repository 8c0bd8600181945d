import { RESOURCES, apiVersionOf, type ResourceDef } from "./resources.js";

/** Groups served under `/apis`, in the order discovery lists them. */
const GROUPS = [...new Set(RESOURCES.filter((r) => r.group !== "").map((r) => r.group))];

const versionsOf = (group: string) => [
  ...new Set(RESOURCES.filter((r) => r.group === group).map((r) => r.version)),
];

function groupDoc(group: string) {
  const versions = versionsOf(group).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** `GET /api`. */
export function coreVersions(serverAddress: string) {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

/** `GET /apis`. */
export function groupList() {
  return { kind: "APIGroupList", apiVersion: "v1", groups: GROUPS.map(groupDoc) };
}

/** `GET /apis/<group>`, or undefined when the group is not served. */
export function apiGroup(group: string) {
  return GROUPS.includes(group) ? { kind: "APIGroup", apiVersion: "v1", ...groupDoc(group) } : undefined;
}

/** `GET /api/v1`, `GET /apis/<group>/<version>`: the legacy per-version resource list. */
export function resourceList(group: string, version: string) {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources = defs.flatMap((r) => [
    {
      name: r.plural,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    },
    ...(r.subresources ?? []).map((s) => ({
      name: `${r.plural}/${s.name}`,
      singularName: "",
      namespaced: r.namespaced,
      ...(s.group !== undefined ? { group: s.group, version: s.version } : {}),
      kind: s.kind,
      verbs: s.verbs,
    })),
  ]);
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: apiVersionOf({ group, version }),
    resources,
  };
}

function discoveryResource(r: ResourceDef) {
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(r.subresources
      ? {
          subresources: r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
            verbs: s.verbs,
          })),
        }
      : {}),
  };
}

export const AGGREGATED_DISCOVERY_TYPE =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** True when the client accepts aggregated discovery (`apidiscovery.k8s.io/v2`), as kubectl ≥ 1.26 does. */
export function wantsAggregated(accept: string | undefined): boolean {
  return (accept ?? "")
    .split(",")
    .some(
      (part) =>
        /g=apidiscovery\.k8s\.io/.test(part) &&
        /v=v2(;|$)/.test(part.replaceAll(" ", "")) &&
        /as=APIGroupDiscoveryList/.test(part),
    );
}

/** Aggregated discovery of `/api` (core) or `/apis` (every other group), in one document. */
export function aggregatedDiscovery(core: boolean) {
  const groups = core ? [""] : GROUPS;
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((group) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versionsOf(group).map((version) => ({
        version,
        resources: RESOURCES.filter((r) => r.group === group && r.version === version).map(discoveryResource),
        freshness: "Current",
      })),
    })),
  };
}
