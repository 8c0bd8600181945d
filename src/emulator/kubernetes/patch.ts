import { badRequest, unprocessable, unsupportedMediaType } from "./status.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch as Json);
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/**
 * Merge keys of the lists that strategic merge patch merges element by element, keyed by
 * field name (the `patchMergeKey` tags of the Kubernetes API types this fake serves).
 */
const MERGE_KEYS: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  ports: "containerPort",
  volumes: "name",
  volumeMounts: "mountPath",
  volumeDevices: "devicePath",
  imagePullSecrets: "name",
  conditions: "type",
  ownerReferences: "uid",
  tolerations: "key",
  hostAliases: "ip",
  topologySpreadConstraints: "topologyKey",
  resourceClaims: "name",
  finalizers: "",
};

function mergeList(field: string, target: Json[] | undefined, patch: Json[]): Json[] {
  const key = MERGE_KEYS[field];
  if (key === undefined) return structuredClone(patch).filter((e) => !(isObject(e) && "$patch" in e));
  if (key === "") {
    // A list of scalars merged as a set (finalizers).
    const out = [...(target ?? [])];
    for (const v of patch) if (!out.includes(v)) out.push(v);
    return out;
  }
  if (patch.some((e) => isObject(e) && e.$patch === "replace")) {
    return patch.filter((e) => !(isObject(e) && e.$patch === "replace")).map((e) => structuredClone(e));
  }
  const out = structuredClone(target ?? []);
  for (const element of patch) {
    if (!isObject(element)) throw badRequest(`strategic merge patch: ${field} elements must be objects`);
    const id = element[key];
    const index = out.findIndex((e) => isObject(e) && e[key] === id);
    if (element.$patch === "delete") {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) {
      out[index] = strategicMergePatch(out[index], element);
    } else {
      out.push(strategicMergePatch({}, element));
    }
  }
  return out;
}

/**
 * Strategic merge patch, as kubectl sends it: a merge patch in which the lists above are
 * merged by key and `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives are honoured (ordering directives are accepted
 * and ignored: the fake keeps existing order and appends).
 */
export function strategicMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch as Json);
  if (patch.$patch === "replace") {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest);
  }
  if (patch.$patch === "delete") return {};
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  const retain = Array.isArray(patch.$retainKeys) ? patch.$retainKeys : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === "$patch" || key === "$retainKeys" || key.startsWith("$setElementOrder/")) continue;
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const field = key.slice("$deleteFromPrimitiveList/".length);
      const current = out[field];
      if (Array.isArray(current) && Array.isArray(value))
        out[field] = current.filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) delete out[key];
    else if (Array.isArray(value)) {
      const current = out[key];
      out[key] = mergeList(key, Array.isArray(current) ? current : undefined, value);
    } else if (isObject(value)) out[key] = strategicMergePatch(out[key], value);
    else out[key] = value;
  }
  if (retain)
    for (const key of Object.keys(out)) if (!retain.includes(key) && !(key in patch)) delete out[key];
  return out;
}

interface JsonPatchOp {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw unprocessable(`json patch: invalid path "${path}"`);
  return path
    .slice(1)
    .split("/")
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function parentOf(doc: Json, tokens: string[], path: string): { parent: JsonObject | Json[]; last: string } {
  let cur: Json = doc;
  for (const t of tokens.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (next === undefined) throw unprocessable(`json patch: path "${path}" does not exist`);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw unprocessable(`json patch: path "${path}" does not exist`);
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json | undefined = doc;
  for (const t of pointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw unprocessable(`json patch: path "${path}" does not exist`);
  }
  return cur;
}

function removeAt(doc: Json, path: string): Json {
  const { parent, last } = parentOf(doc, pointer(path), path);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw unprocessable(`json patch: path "${path}" does not exist`);
    return parent.splice(i, 1)[0]!;
  }
  if (!(last in parent)) throw unprocessable(`json patch: path "${path}" does not exist`);
  const old = parent[last]!;
  delete parent[last];
  return old;
}

function addAt(doc: Json, path: string, value: Json, replace: boolean): Json {
  const tokens = pointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, path);
  if (Array.isArray(parent)) {
    const i = last === "-" ? parent.length : Number(last);
    if (!(i >= 0 && i <= parent.length) || (replace && i >= parent.length))
      throw unprocessable(`json patch: path "${path}" does not exist`);
    parent.splice(i, replace ? 1 : 0, value);
  } else {
    if (replace && !(last in parent)) throw unprocessable(`json patch: path "${path}" does not exist`);
    parent[last] = value;
  }
  return doc;
}

/** RFC 6902 JSON patch. A failed `test` is a 422, as on a real API server. */
export function jsonPatch(target: unknown, ops: unknown): Json {
  if (!Array.isArray(ops)) throw badRequest("json patch must be an array of operations");
  let doc = structuredClone(target as Json);
  for (const raw of ops as JsonPatchOp[]) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string")
      throw badRequest("json patch: every operation needs op and path");
    switch (raw.op) {
      case "add":
        doc = addAt(doc, raw.path, structuredClone(raw.value ?? null), false);
        break;
      case "replace":
        doc = addAt(doc, raw.path, structuredClone(raw.value ?? null), true);
        break;
      case "remove":
        removeAt(doc, raw.path);
        break;
      case "move": {
        const value = removeAt(doc, raw.from ?? "");
        doc = addAt(doc, raw.path, value, false);
        break;
      }
      case "copy":
        doc = addAt(doc, raw.path, structuredClone(getAt(doc, raw.from ?? "")), false);
        break;
      case "test":
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value ?? null))
          throw unprocessable(
            `the server rejected our request due to an error in our request: testing value ${raw.path} failed`,
          );
        break;
      default:
        throw badRequest(`json patch: unknown op "${raw.op}"`);
    }
  }
  return doc;
}

export const PATCH_TYPES = [
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
] as const;

/** Applies a PATCH body of the given Content-Type; 415 for any other type. */
export function applyPatch(
  contentType: string,
  target: unknown,
  body: unknown,
  strategicAllowed = true,
): Json {
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  if (type === "application/merge-patch+json") return mergePatch(target, body);
  if (type === "application/json-patch+json") return jsonPatch(target, body);
  if (type === "application/strategic-merge-patch+json" && strategicAllowed)
    return strategicMergePatch(target, body);
  throw unsupportedMediaType(type);
}
