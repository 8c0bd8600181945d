import { admit, afterWrite, collectGarbage } from "./admission.js";
import { applyPatch } from "./patch.js";
import { present, render, storedFieldSelector } from "./representation.js";
import { NAMESPACE, apiVersionOf, storeKey, type ResourceDef } from "./resources.js";
import { randomSuffix } from "./pods.js";
import { parseFieldSelector, parseLabelSelector } from "./selectors.js";
import {
  OBJECT_MODIFIED,
  alreadyExists,
  badRequest,
  conflict,
  methodNotAllowed,
  notFound,
} from "./status.js";
import { timestamp, type KubeStore } from "./store.js";
import { json, type ApiRequest, type ApiResult, type ResourceTarget } from "./request.js";
import type { KubeObject } from "./types.js";

const isDryRun = (req: ApiRequest) => req.query.getAll("dryRun").includes("All");
const hasStatus = (def: ResourceDef) => def.subresources?.some((s) => s.name === "status") ?? false;

function requireVerb(def: ResourceDef, verb: string): void {
  if (!def.verbs.includes(verb)) throw methodNotAllowed();
}

/** Reads a stored object or throws the 404 the real server sends. */
export function mustGet(store: KubeStore, t: ResourceTarget): KubeObject {
  const obj = store.get(storeKey(t.def), t.namespace, t.name ?? "");
  if (!obj) throw notFound(t.def, t.name ?? "");
  return obj;
}

function checkContinue(token: string | null): number {
  if (!token) return 0;
  const offset = Number(Buffer.from(token, "base64url").toString("utf8"));
  if (!Number.isInteger(offset) || offset < 0) throw badRequest("invalid continue token");
  return offset;
}

export function list(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "list");
  const labels = parseLabelSelector(req.query.get("labelSelector"));
  const fields = parseFieldSelector(storedFieldSelector(t.def, req.query.get("fieldSelector")), t.def.kind);
  const filter = (o: KubeObject) => labels(o.metadata.labels) && fields(o);
  const all = store.list(storeKey(t.def), t.namespace).filter(filter);
  const watch = req.query.get("watch");
  if (watch === "true" || watch === "1") {
    const rv = req.query.get("resourceVersion");
    const timeout = req.query.get("timeoutSeconds");
    return {
      type: "watch",
      watch: {
        def: t.def,
        namespace: t.namespace,
        filter,
        initial: !rv || rv === "0" ? all : [],
        timeoutSeconds: timeout ? Number(timeout) : undefined,
      },
    };
  }
  const start = checkContinue(req.query.get("continue"));
  const limit = Number(req.query.get("limit") ?? "0");
  const end = limit > 0 ? start + limit : all.length;
  const page = all.slice(start, end);
  const listMeta = {
    resourceVersion: store.resourceVersion,
    ...(end < all.length
      ? { continue: Buffer.from(String(end)).toString("base64url"), remainingItemCount: all.length - end }
      : {}),
  };
  return json(
    render(t.def, page, false, {
      accept: req.accept,
      includeObject: req.query.get("includeObject"),
      now: store.now(),
      listMeta,
    }),
  );
}

export function get(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "get");
  const obj = mustGet(store, t);
  return json(
    render(t.def, [obj], true, {
      accept: req.accept,
      includeObject: req.query.get("includeObject"),
      now: store.now(),
      listMeta: {},
    }),
  );
}

function asObject(body: unknown): KubeObject {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw badRequest("the request body must be a JSON object");
  const obj = body as KubeObject;
  if (typeof obj.metadata !== "object" || obj.metadata === null) obj.metadata = { name: "" };
  return obj;
}

export function create(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "create");
  if (t.def.storedAs) throw methodNotAllowed();
  const obj = asObject(req.body);
  obj.apiVersion = apiVersionOf(t.def);
  obj.kind = t.def.kind;
  if (t.namespace) {
    if (obj.metadata.namespace && obj.metadata.namespace !== t.namespace)
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    if (!store.get(storeKey(NAMESPACE), undefined, t.namespace)) throw notFound(NAMESPACE, t.namespace);
    obj.metadata.namespace = t.namespace;
  }
  if (!obj.metadata.name && obj.metadata.generateName)
    obj.metadata.name = obj.metadata.generateName + randomSuffix();
  if (!obj.metadata.name) throw badRequest("name or generateName is required");
  if (store.get(storeKey(t.def), t.namespace, obj.metadata.name))
    throw alreadyExists(t.def, obj.metadata.name);
  delete obj.metadata.resourceVersion;
  const admitted = admit(t.def, undefined, obj);
  if (isDryRun(req)) return json(present(t.def, admitted), 201);
  const created = store.create(storeKey(t.def), admitted);
  afterWrite(store, t.def, created, false);
  return json(present(t.def, mustGet(store, { ...t, name: created.metadata.name })), 201);
}

/**
 * The shared tail of PUT and PATCH: identity fields cannot change, a stale resourceVersion
 * is a 409, status and spec each change only through their own endpoint, then admission,
 * the write and the controllers.
 */
export function writeUpdate(
  store: KubeStore,
  t: ResourceTarget,
  req: ApiRequest,
  old: KubeObject,
  next: KubeObject,
): KubeObject {
  if (next.metadata.resourceVersion && next.metadata.resourceVersion !== old.metadata.resourceVersion)
    throw conflict(t.def, old.metadata.name, OBJECT_MODIFIED);
  let merged: KubeObject = {
    ...next,
    apiVersion: old.apiVersion,
    kind: old.kind,
    metadata: {
      ...next.metadata,
      name: old.metadata.name,
      ...(old.metadata.namespace ? { namespace: old.metadata.namespace } : {}),
      ...(old.metadata.uid ? { uid: old.metadata.uid } : {}),
      ...(old.metadata.creationTimestamp ? { creationTimestamp: old.metadata.creationTimestamp } : {}),
      ...(old.metadata.generation !== undefined ? { generation: old.metadata.generation } : {}),
      resourceVersion: old.metadata.resourceVersion ?? "",
    },
  };
  if (hasStatus(t.def)) {
    const { status, ...withoutStatus } = merged;
    merged =
      t.subresource === "status"
        ? { ...old, status }
        : { ...withoutStatus, ...(old.status === undefined ? {} : { status: old.status }) };
  }
  const admitted = admit(t.def, old, merged);
  if (JSON.stringify(admitted) === JSON.stringify(old) || isDryRun(req)) return admitted;
  const written = store.update(storeKey(t.def), admitted);
  afterWrite(store, t.def, written, false);
  return mustGet(store, t);
}

export function replace(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "update");
  if (t.def.storedAs) throw methodNotAllowed();
  const old = mustGet(store, t);
  const next = asObject(req.body);
  if (next.metadata.name && next.metadata.name !== old.metadata.name)
    throw badRequest(
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${old.metadata.name})`,
    );
  return json(writeUpdate(store, t, req, old, next));
}

export function patch(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "patch");
  if (t.def.storedAs) throw methodNotAllowed();
  const old = mustGet(store, t);
  const next = asObject(applyPatch(req.contentType, old, req.body, t.def.group !== "metrics.k8s.io"));
  return json(writeUpdate(store, t, req, old, next));
}

interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export function remove(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  requireVerb(t.def, "delete");
  if (t.def.storedAs) throw methodNotAllowed();
  const old = mustGet(store, t);
  const options = (typeof req.body === "object" && req.body !== null ? req.body : {}) as DeleteOptions;
  const pre = options.preconditions;
  if (pre?.uid && pre.uid !== old.metadata.uid)
    throw conflict(
      t.def,
      old.metadata.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid ?? ""}`,
    );
  if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion)
    throw conflict(
      t.def,
      old.metadata.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion ?? ""}`,
    );
  const queryGrace = req.query.get("gracePeriodSeconds");
  const specGrace = (old.spec as { terminationGracePeriodSeconds?: number } | undefined)
    ?.terminationGracePeriodSeconds;
  const grace =
    options.gracePeriodSeconds ?? (queryGrace === null ? undefined : Number(queryGrace)) ?? specGrace ?? 30;
  if (!isDryRun(req)) {
    store.remove(storeKey(t.def), t.namespace, old.metadata.name);
    if (t.def.kind === "Pod") store.logs.delete(`${t.namespace ?? ""}/${old.metadata.name}`);
    collectGarbage(store, old.metadata.uid ?? "", t.namespace);
    afterWrite(store, t.def, old, true);
  }
  if (t.def.kind !== "Pod") {
    return json({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: {
        name: old.metadata.name,
        ...(t.def.group ? { group: t.def.group } : {}),
        kind: t.def.plural,
        uid: old.metadata.uid,
      },
    });
  }
  // Pods end gracefully: the response shows the pod marked for deletion, as kubelet has yet to confirm.
  const deletedAt = new Date(store.now().getTime() + grace * 1000);
  return json({
    ...old,
    metadata:
      grace > 0
        ? { ...old.metadata, deletionTimestamp: timestamp(deletedAt), deletionGracePeriodSeconds: grace }
        : old.metadata,
  });
}
