import { badRequest } from "./status.js";
import type { KubeObject, LabelSelectorSpec } from "./types.js";

/** One parsed label requirement: `app=web`, `tier in (a,b)`, `!canary`. */
interface Requirement {
  key: string;
  op: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

const KEY = String.raw`(?:[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?`;
const VALUE = String.raw`(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?)?`;
const SET_RE = new RegExp(String.raw`^(${KEY})\s+(in|notin)\s+\(([^)]*)\)$`);
const EQ_RE = new RegExp(String.raw`^(${KEY})\s*(==|=|!=)\s*(${VALUE})$`);
const EXISTS_RE = new RegExp(String.raw`^(!?)\s*(${KEY})$`);
const VALUE_RE = new RegExp(`^${VALUE}$`);

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "," && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(selector.slice(start));
  return parts.map((p) => p.trim());
}

function parseRequirement(text: string): Requirement {
  const set = SET_RE.exec(text);
  if (set) {
    const values = set[3]!.split(",").map((v) => v.trim());
    if (values.some((v) => !VALUE_RE.test(v)))
      throw badRequest(`unable to parse requirement: invalid values in "${text}"`);
    return { key: set[1]!, op: set[2] as "in" | "notin", values };
  }
  const eq = EQ_RE.exec(text);
  if (eq) return { key: eq[1]!, op: eq[2] === "!=" ? "!=" : "=", values: [eq[3]!] };
  const exists = EXISTS_RE.exec(text);
  if (exists) return { key: exists[2]!, op: exists[1] ? "!" : "exists", values: [] };
  throw badRequest(
    `unable to parse requirement: found '${text}', expected: key, !key, key=value, key in (…)`,
  );
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case "=":
      return has && value === req.values[0];
    case "!=":
      return !has || value !== req.values[0];
    case "in":
      return has && req.values.includes(value!);
    case "notin":
      return !has || !req.values.includes(value!);
    case "exists":
      return has;
    case "!":
      return !has;
  }
}

/** Parses a `labelSelector` query parameter; throws a 400 Status on bad syntax. */
export function parseLabelSelector(selector: string | null | undefined): LabelMatcher {
  if (!selector || selector.trim() === "") return () => true;
  const reqs = splitTopLevel(selector).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** Matches a structured selector (`matchLabels` and `matchExpressions`). */
export function matchesSelectorSpec(
  spec: LabelSelectorSpec | undefined,
  labels: Record<string, string> | undefined,
) {
  if (!spec) return false;
  const have = labels ?? {};
  for (const [k, v] of Object.entries(spec.matchLabels ?? {})) if (have[k] !== v) return false;
  for (const e of spec.matchExpressions ?? []) {
    const op = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" }[e.operator];
    if (!op) return false;
    if (!matches({ key: e.key, op: op as Requirement["op"], values: e.values ?? [] }, have)) return false;
  }
  return true;
}

/** The string form of a structured selector, as a Scale's `status.selector` shows it. */
export function selectorToString(spec: LabelSelectorSpec | undefined): string {
  const parts = Object.entries(spec?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of spec?.matchExpressions ?? []) {
    const values = `(${(e.values ?? []).join(",")})`;
    if (e.operator === "In") parts.push(`${e.key} in ${values}`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin ${values}`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

type FieldGetter = (obj: KubeObject) => string | undefined;

function path(obj: unknown, dotted: string): string | undefined {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return "";
  return typeof cur === "string" ? cur : JSON.stringify(cur);
}

const COMMON = ["metadata.name", "metadata.namespace"];
/** Field labels each kind supports, as the real API server registers them. */
const SUPPORTED_FIELDS: Record<string, readonly string[]> = {
  Pod: [
    ...COMMON,
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Event: [
    ...COMMON,
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Namespace: [...COMMON, "status.phase"],
  ReplicaSet: [...COMMON, "status.replicas"],
};

/** Parses a `fieldSelector` for one kind; unsupported fields are a 400, as in a real cluster. */
export function parseFieldSelector(
  selector: string | null | undefined,
  kind: string,
): (obj: KubeObject) => boolean {
  if (!selector || selector.trim() === "") return () => true;
  const supported = SUPPORTED_FIELDS[kind] ?? COMMON;
  const tests = selector.split(",").map((term) => {
    const m = /^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (!supported.includes(field)) throw badRequest(`field label not supported: ${field}`);
    const get: FieldGetter = field === "source" ? (o) => path(o, "source.component") : (o) => path(o, field);
    return (obj: KubeObject) => (op === "!=" ? get(obj) !== value : get(obj) === value);
  });
  return (obj) => tests.every((t) => t(obj));
}
