import { mustGet, writeUpdate } from "./object-handlers.js";
import { applyPatch } from "./patch.js";
import { json, type ApiRequest, type ApiResult, type ResourceTarget } from "./request.js";
import { selectorToString } from "./selectors.js";
import { OBJECT_MODIFIED, badRequest, conflict, invalid, methodNotAllowed } from "./status.js";
import type { KubeStore } from "./store.js";
import type { KubeObject, LabelSelectorSpec, Pod } from "./types.js";

interface Scale {
  apiVersion: "autoscaling/v1";
  kind: "Scale";
  metadata: Record<string, unknown>;
  spec: { replicas?: number };
  status: { replicas: number; selector: string };
}

/** The `autoscaling/v1 Scale` view of a workload. */
function toScale(obj: KubeObject): Scale {
  const spec = obj.spec as { replicas?: number; selector?: LabelSelectorSpec } | undefined;
  const status = obj.status as { replicas?: number } | undefined;
  const m = obj.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec?.replicas ?? 1 },
    status: { replicas: status?.replicas ?? 0, selector: selectorToString(spec?.selector) },
  };
}

/** GET, PUT and PATCH on `…/scale`: replicas change through the Scale, everything else stays. */
export function scale(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  const old = mustGet(store, t);
  if (req.method === "GET") return json(toScale(old));
  let wanted: Scale;
  if (req.method === "PUT") wanted = req.body as Scale;
  else if (req.method === "PATCH")
    wanted = applyPatch(req.contentType, toScale(old), req.body) as unknown as Scale;
  else throw methodNotAllowed();
  if (typeof wanted !== "object" || wanted === null) throw badRequest("the request body must be a Scale");
  const rv = (wanted.metadata as { resourceVersion?: string } | undefined)?.resourceVersion;
  if (rv && rv !== old.metadata.resourceVersion) throw conflict(t.def, old.metadata.name, OBJECT_MODIFIED);
  const replicas = wanted.spec?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0)
    throw invalid(
      "Scale",
      "autoscaling",
      old.metadata.name,
      "spec.replicas",
      replicas ?? null,
      "must be greater than or equal to 0",
    );
  const next = { ...old, spec: { ...(old.spec as object), replicas } };
  const main = { ...t, subresource: undefined };
  return json(toScale(writeUpdate(store, main, req, old, next)));
}

function tail(text: string, lines: number): string {
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  if (lines >= all.length) return text;
  return all.slice(all.length - lines).join("\n") + (all.length > 0 ? "\n" : "");
}

/** `GET …/pods/<name>/log`: plain text, with the real server's 400s for ambiguous or missing containers. */
export function podLog(store: KubeStore, t: ResourceTarget, req: ApiRequest): ApiResult {
  if (req.method !== "GET") throw methodNotAllowed();
  const pod = mustGet(store, t) as Pod;
  const name = pod.metadata.name;
  const containers = (pod.spec?.containers ?? []).map((c) => c.name);
  let container = req.query.get("container") ?? undefined;
  if (!container) {
    if (containers.length !== 1)
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${containers.join(" ")}]`,
      );
    container = containers[0]!;
  }
  if (!containers.includes(container))
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  const logs = store.logs.get(`${t.namespace ?? ""}/${name}`)?.[container];
  const previous = req.query.get("previous") === "true";
  let text: string;
  if (previous) {
    if (logs?.previous === undefined)
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    text = logs.previous;
  } else text = logs?.current ?? "";
  const tailLines = req.query.get("tailLines");
  if (tailLines !== null) {
    const n = Number(tailLines);
    if (!Number.isInteger(n) || n < 0)
      throw badRequest(`tailLines: Invalid value: ${tailLines}: must be greater than or equal to 0`);
    text = tail(text, n);
  }
  const limitBytes = req.query.get("limitBytes");
  if (limitBytes !== null)
    text = Buffer.from(text)
      .subarray(0, Math.max(0, Number(limitBytes)))
      .toString("utf8");
  return { type: "text", status: 200, body: text };
}
