import type { Table } from "../actions/types.js";

const MAX_CELL = 80;

const cellText = (v: string | number | boolean | null): string => {
  const s = v === null ? "—" : String(v);
  const flat = s.replace(/[\r\n\t]+/g, " ");
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
};

/** A table as aligned monospace text: a header, a rule, one line per row. */
export function formatTable(table: Table): string {
  const rows = [table.columns, ...table.rows.map((r) => r.map(cellText))];
  const widths = table.columns.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(table.columns), widths.map((w) => "-".repeat(w)).join("  "), ...rows.slice(1).map(line)].join(
    "\n",
  );
}

/** One step's output as the text that is shown, digested and (when long) uploaded. */
export function outputText(o: { summary: string; table?: Table; text?: string }, heading?: string): string {
  const parts = [heading ? `${heading}: ${o.summary}` : o.summary];
  if (o.table) parts.push(o.table.rows.length ? formatTable(o.table) : "(no rows)");
  if (o.text) parts.push(o.text);
  return parts.join("\n\n");
}
