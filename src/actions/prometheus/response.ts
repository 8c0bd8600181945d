import type { Table } from "../types.js";

/** A sample as the HTTP API encodes it: [unix seconds, "value"]. */
export type PromSample = [number, string];

/** The `data` of a successful /api/v1/query answer. */
export type PromQueryData =
  | { resultType: "vector"; result: { metric: Record<string, string>; value: PromSample }[] }
  | { resultType: "matrix"; result: { metric: Record<string, string>; values: PromSample[] }[] }
  | { resultType: "scalar"; result: PromSample }
  | { resultType: "string"; result: PromSample };

/** The JSON envelope every Prometheus API answer uses. */
export interface PromEnvelope {
  status: "success" | "error";
  data?: PromQueryData;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/** A sample value as a number, or as Prometheus spells it when not finite (NaN, +Inf, -Inf). */
export function sampleValue(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/**
 * Renders a query result as a table: one column per label (`__name__` first), then the
 * value (for a range selector, the last value and the sample count), at most `limit` rows.
 */
export function resultTable(data: PromQueryData, limit: number): { table: Table; series: number } {
  if (data.resultType === "scalar" || data.resultType === "string") {
    return { table: { columns: ["value"], rows: [[sampleValue(data.result[1])]] }, series: 1 };
  }
  if (data.resultType === "vector") {
    const labels = labelColumns(data.result);
    return {
      table: {
        columns: [...labels, "value"],
        rows: data.result
          .slice(0, limit)
          .map((s) => [...labels.map((l) => s.metric[l] ?? null), sampleValue(s.value[1])]),
      },
      series: data.result.length,
    };
  }
  const labels = labelColumns(data.result);
  return {
    table: {
      columns: [...labels, "last_value", "samples"],
      rows: data.result.slice(0, limit).map((s) => {
        const last = s.values.at(-1);
        return [
          ...labels.map((l) => s.metric[l] ?? null),
          last ? sampleValue(last[1]) : null,
          s.values.length,
        ];
      }),
    },
    series: data.result.length,
  };
}

/** Every label name in the result, `__name__` first, then alphabetical. */
function labelColumns(series: readonly { metric: Record<string, string> }[]): string[] {
  const names = new Set<string>();
  for (const s of series) for (const name of Object.keys(s.metric)) names.add(name);
  return [...names].sort((a, b) => (a === "__name__" ? -1 : b === "__name__" ? 1 : a.localeCompare(b)));
}
