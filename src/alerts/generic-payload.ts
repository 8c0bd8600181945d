import { z } from "zod";
import { FirebreakError } from "../core/errors.js";
import { formatFieldPath, readFieldPath } from "../core/alerts/field-path.js";
import type { IntegrationEvent } from "../core/alerts/integration-event.js";
import type { AlertLink } from "../core/alerts/types.js";
import { parseSeverity } from "../core/incident/severity.js";
import type { Severity } from "../core/incident/severity.js";
import type { GenericMapping } from "../core/alerts/generic-mapping.js";
import { WEBHOOK_LIMITS as L, describeIssue } from "./alertmanager-payload.js";

const text = (max: number) =>
  z
    .union([z.string(), z.number(), z.boolean()])
    .transform((v) => String(v).trim())
    .pipe(z.string().max(max));

// A link is a URL, or an object with `url` (or `href`) and `text` (or `title`, or `name`).
const linkItem = z.union([
  z
    .string()
    .max(L.maxUrlLength)
    .transform((url): AlertLink => ({ url, text: "" })),
  z
    .looseObject({
      url: z.string().max(L.maxUrlLength).optional(),
      href: z.string().max(L.maxUrlLength).optional(),
      text: z.string().max(200).optional(),
      title: z.string().max(200).optional(),
      name: z.string().max(200).optional(),
    })
    .transform((o): AlertLink => ({
      url: o.url ?? o.href ?? "",
      text: (o.text ?? o.title ?? o.name ?? "").trim(),
    })),
]);

const FIELD_SCHEMAS = {
  dedup_key: text(1024).pipe(z.string().min(1)),
  title: text(L.maxValueLength),
  severity: text(1024),
  status: text(1024),
  description: text(L.maxValueLength),
  links: z.union([linkItem, z.array(linkItem).max(20)]),
  labels: z
    .record(z.string().min(1).max(L.maxNameLength), text(L.maxValueLength))
    .refine((set) => Object.keys(set).length <= L.maxEntries, `at most ${L.maxEntries} entries`),
} as const;

type Field = keyof typeof FIELD_SCHEMAS;

/**
 * Reads one event of a generic integration from its JSON body, by the integration's
 * field map. Throws input_invalid naming the body's path and the field it feeds, e.g.
 * `cron event rejected: job.id (dedup_key): required`.
 */
export function mapGenericEvent(integration: string, body: unknown, m: GenericMapping): IntegrationEvent {
  if (body === null || typeof body !== "object" || Array.isArray(body))
    throw rejected(integration, "(body)", "expected a JSON object");
  const read = <F extends Field>(field: F): z.output<(typeof FIELD_SCHEMAS)[F]> | undefined => {
    const path = m.fields[field];
    if (!path) return undefined;
    const value = readFieldPath(body, path);
    const where = `${formatFieldPath(path)} (${field})`;
    if (value === undefined || value === null) {
      if (field === "dedup_key") throw rejected(integration, where, "required, the dedup key of the event");
      return undefined;
    }
    const parsed = FIELD_SCHEMAS[field].safeParse(value, { reportInput: true });
    if (!parsed.success)
      throw rejected(integration, where, describeIssue(parsed.error.issues[0]!), parsed.error);
    return parsed.data as z.output<(typeof FIELD_SCHEMAS)[F]>;
  };
  const dedupKey = read("dedup_key")!;
  const title = read("title");
  const severityText = read("severity")?.toLowerCase();
  const statusText = read("status")?.toLowerCase();
  const description = read("description");
  const links = read("links");
  const labels = read("labels") ?? {};
  return {
    dedupKey,
    status: statusText !== undefined && m.resolvedValues.includes(statusText) ? "resolved" : "firing",
    ...(title ? { title } : {}),
    severity: mapSeverity(severityText, m),
    ...(description ? { description } : {}),
    links: toLinks(links),
    labels: { ...m.labels, ...labels },
  };
}

function mapSeverity(value: string | undefined, m: GenericMapping): Severity {
  if (!value) return m.defaultSeverity;
  return m.severityMap[value] ?? parseSeverity(value) ?? m.defaultSeverity;
}

function toLinks(value: AlertLink | AlertLink[] | undefined): AlertLink[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((l) => l.url !== "");
}

function rejected(integration: string, where: string, why: string, cause?: unknown): FirebreakError {
  return new FirebreakError("input_invalid", `${integration} event rejected: ${where}: ${why}`, {
    ...(cause ? { cause } : {}),
    details: { path: where },
  });
}
