import { inputInvalid } from "../errors.js";

/** A parsed dotted path into a JSON document: `job.id` → `["job", "id"]`, `items.0.url` → `["items", 0, "url"]`. */
export type FieldPath = readonly (string | number)[];

const SEGMENT = /^[A-Za-z0-9_$@-]{1,128}$/;
const MAX_SEGMENTS = 16;

/**
 * Parses a dotted path as written in firebreak.yaml (`fields.dedup_key: job.id`). Segments
 * are object keys of letters, digits, `_`, `-`, `$` or `@`; an all-digit segment also
 * indexes an array. Throws input_invalid saying what is wrong.
 */
export function parseFieldPath(text: string): FieldPath {
  const segments = text.trim().split(".");
  if (segments.length > MAX_SEGMENTS)
    throw inputInvalid(`"${text}" is too deep: at most ${MAX_SEGMENTS} segments.`);
  return segments.map((segment) => {
    if (!SEGMENT.test(segment))
      throw inputInvalid(
        `"${text}" is not a dotted path: write keys separated by dots, like job.id or alerts.0.labels.severity.`,
      );
    return /^\d{1,9}$/.test(segment) ? Number(segment) : segment;
  });
}

/** The path as written, for messages. */
export function formatFieldPath(path: FieldPath): string {
  return path.join(".");
}

/**
 * The value at `path` in `document`, or undefined when any step is missing. Only own
 * properties are followed (never `__proto__`, `constructor` or anything inherited), and a
 * number segment reads an array element or an object key spelled with digits.
 */
export function readFieldPath(document: unknown, path: FieldPath): unknown {
  let current: unknown = document;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    if (Array.isArray(current)) {
      if (typeof segment !== "number") return undefined;
      current = current[segment];
      continue;
    }
    const key = String(segment);
    if (!Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
