import { apiVersionOf, type ResourceDef } from "./resources.js";
import { toTable, type IncludeObject } from "./tables.js";
import type { CoreEvent, KubeObject } from "./types.js";

/** Converts a stored object to the version the request addressed (core Events as events.k8s.io/v1). */
export function present(def: ResourceDef, obj: KubeObject): KubeObject {
  if (def.group !== "events.k8s.io") return obj;
  const e = obj as CoreEvent;
  return {
    apiVersion: apiVersionOf(def),
    kind: "Event",
    metadata: e.metadata,
    eventTime: e.eventTime ?? null,
    reportingController: e.reportingComponent || e.source?.component || "",
    reportingInstance: e.reportingInstance ?? "",
    action: e.action ?? "",
    reason: e.reason ?? "",
    regarding: e.involvedObject ?? {},
    note: e.message ?? "",
    type: e.type ?? "",
    ...(e.source ? { deprecatedSource: e.source } : {}),
    ...(e.firstTimestamp ? { deprecatedFirstTimestamp: e.firstTimestamp } : {}),
    ...(e.lastTimestamp ? { deprecatedLastTimestamp: e.lastTimestamp } : {}),
    ...(e.count ? { deprecatedCount: e.count } : {}),
  };
}

/** Field selectors of events.k8s.io name `regarding.*`; the store indexes core field names. */
export function storedFieldSelector(def: ResourceDef, selector: string | null): string | null {
  if (def.group !== "events.k8s.io" || !selector) return selector;
  return selector
    .replaceAll("regarding.", "involvedObject.")
    .replaceAll("reportingController", "reportingComponent");
}

/** What the Accept header asks for: a Table (server-side printing) or the objects themselves. */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? "").split(",").some((part) => /as=Table/.test(part) && /g=meta\.k8s\.io/.test(part));
}

export function includeObject(value: string | null): IncludeObject {
  return value === "None" || value === "Object" ? value : "Metadata";
}

/** A list response; items carry no kind/apiVersion, as the real server serializes typed lists. */
export function listBody(def: ResourceDef, items: KubeObject[], listMeta: Record<string, unknown>) {
  return {
    kind: `${def.kind}List`,
    apiVersion: apiVersionOf(def),
    metadata: listMeta,
    items: items.map(({ kind: _kind, apiVersion: _apiVersion, ...rest }) => rest),
  };
}

/** Either a Table or the objects, as negotiated. */
export function render(
  def: ResourceDef,
  objects: KubeObject[],
  single: boolean,
  opts: {
    accept: string | undefined;
    includeObject: string | null;
    now: Date;
    listMeta: Record<string, unknown>;
  },
): unknown {
  const shown = objects.map((o) => present(def, o));
  if (wantsTable(opts.accept)) {
    const meta = single ? { resourceVersion: shown[0]?.metadata.resourceVersion ?? "" } : opts.listMeta;
    return toTable(def.kind, shown, opts.now, includeObject(opts.includeObject), meta);
  }
  return single ? shown[0] : listBody(def, shown, opts.listMeta);
}
