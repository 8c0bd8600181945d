import {
  AGGREGATED_DISCOVERY_TYPE,
  aggregatedDiscovery,
  apiGroup,
  coreVersions,
  groupList,
  resourceList,
  wantsAggregated,
} from "./discovery.js";
import { create, get, list, patch, remove, replace } from "./object-handlers.js";
import {
  json,
  type AccessAttributes,
  type ApiRequest,
  type ApiResult,
  type ResourceTarget,
} from "./request.js";
import { findResource } from "./resources.js";
import { forbidden, methodNotAllowed, pathNotFound } from "./status.js";
import type { KubeStore } from "./store.js";
import { podLog, scale } from "./subresource-handlers.js";

/** What `/version` reports: kubectl's dispatcher picks a matching client from it. */
export const SERVER_VERSION = {
  major: "1",
  minor: "32",
  gitVersion: "v1.32.4",
  gitCommit: "59526cd4867447956156ae3a602fcbac10a2c335",
  gitTreeState: "clean",
  buildDate: "2025-04-22T16:02:27Z",
  goVersion: "go1.23.6",
  compiler: "gc",
  platform: "linux/amd64",
};

/** Who the bearer token authenticates as, in 403 messages. */
export const FAKE_USER = "system:serviceaccount:firebreak:firebreak";

/** Paths that answer without credentials, as `system:public-info-viewer` allows. */
export const PUBLIC_PATHS = new Set(["/version", "/healthz", "/livez", "/readyz"]);

function resourceTarget(group: string, version: string, rest: string[]): ResourceTarget | undefined {
  let namespace: string | undefined;
  let parts = rest;
  if (rest[0] === "namespaces" && rest.length >= 3 && rest[2] !== "status" && rest[2] !== "finalize") {
    namespace = rest[1];
    parts = rest.slice(2);
  }
  if (parts.length === 0 || parts.length > 3) return undefined;
  const def = findResource(group, version, parts[0]!);
  if (!def) return undefined;
  if (!def.namespaced && namespace !== undefined) return undefined;
  if (def.namespaced && namespace === undefined && parts.length > 1) return undefined;
  const subresource = parts[2];
  if (subresource && !def.subresources?.some((s) => s.name === subresource)) return undefined;
  return { def, namespace, name: parts[1], subresource };
}

const VERBS: Record<string, AccessAttributes["verb"]> = {
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

function accessAttributes(t: ResourceTarget, req: ApiRequest): AccessAttributes {
  const watch = req.query.get("watch");
  const verb =
    req.method === "GET"
      ? t.name !== undefined
        ? "get"
        : watch === "true" || watch === "1"
          ? "watch"
          : "list"
      : (VERBS[req.method] ?? "get");
  return {
    verb,
    group: t.def.group,
    resource: t.subresource ? `${t.def.plural}/${t.subresource}` : t.def.plural,
    namespace: t.namespace,
    name: t.name,
  };
}

function resource(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  if (req.authorize) {
    const attributes = accessAttributes(t, req);
    if (!req.authorize(attributes)) throw forbidden(FAKE_USER, attributes);
  }
  if (t.subresource === "scale") return scale(store, t, req);
  if (t.subresource === "log") return podLog(store, t, req);
  if (t.name === undefined) {
    if (req.method === "GET") return list(store, t, req);
    if (req.method === "POST") return create(store, t, req);
    throw methodNotAllowed();
  }
  switch (req.method) {
    case "GET":
      return get(store, t, req);
    case "PUT":
      return replace(store, t, req);
    case "PATCH":
      return patch(store, t, req);
    case "DELETE":
      return remove(store, t, req);
    default:
      throw methodNotAllowed();
  }
}

/** Routes one authenticated request; throws KubeApiError for any failure. */
export function route(store: KubeStore, segments: string[], req: ApiRequest): ApiResult {
  const [root, a, b, ...rest] = segments;
  if (segments.length === 1 && root === "version") return json(SERVER_VERSION);
  if (segments.length === 1 && (root === "healthz" || root === "livez" || root === "readyz"))
    return { type: "text", status: 200, body: "ok" };
  if (root === "api") {
    if (a === undefined)
      return wantsAggregated(req.accept)
        ? json(aggregatedDiscovery(true), 200, AGGREGATED_DISCOVERY_TYPE)
        : json(coreVersions(req.host));
    if (a !== "v1") throw pathNotFound();
    if (b === undefined) return json(resourceList("", "v1"));
    const t = resourceTarget("", "v1", [b, ...rest]);
    if (!t) throw pathNotFound();
    return resource(store, t, req);
  }
  if (root === "apis") {
    if (a === undefined)
      return wantsAggregated(req.accept)
        ? json(aggregatedDiscovery(false), 200, AGGREGATED_DISCOVERY_TYPE)
        : json(groupList());
    if (b === undefined) {
      const group = apiGroup(a);
      if (!group) throw pathNotFound();
      return json(group);
    }
    if (rest.length === 0) {
      const resources = resourceList(a, b);
      if (!resources) throw pathNotFound();
      return json(resources);
    }
    const t = resourceTarget(a, b, rest);
    if (!t) throw pathNotFound();
    return resource(store, t, req);
  }
  throw pathNotFound();
}
