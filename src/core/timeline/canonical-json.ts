/**
 * A canonical JSON serialisation (sorted object keys, no whitespace) so that the same
 * event always hashes to the same bytes, whatever key order Postgres' jsonb hands back.
 * Values must be JSON values: no undefined, functions, NaN or Infinity.
 */
export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonicalJson: non-finite number");
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      // Built by concatenation, not map/join: `audit verify` serialises every event of the
      // history, and the intermediate arrays were most of its cost.
      const obj = value as Record<string, unknown>;
      let out = "{";
      for (const k of Object.keys(obj).sort()) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${out.length > 1 ? "," : ""}${JSON.stringify(k)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonicalJson: cannot serialise ${typeof value}`);
  }
}

/**
 * Makes arbitrary data safe to store as jsonb and hash: drops undefined, turns Dates into
 * ISO strings, removes NUL characters and replaces lone surrogates (jsonb rejects both), and
 * drops non-finite numbers.
 */
export function toJsonValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  // jsonb refuses NUL and a lone UTF-16 surrogate (a payload may carry either escaped).
  if (typeof value === "string") return value.replaceAll("\u0000", "").toWellFormed();
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "boolean") return value;
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      if (v !== undefined) out[k.replaceAll("\u0000", "").toWellFormed()] = toJsonValue(v);
    return out;
  }
  return null;
}
