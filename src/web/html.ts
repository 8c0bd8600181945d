/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string | number | boolean | null | undefined): string {
  return String(value ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** A string that is already HTML: produced only by `html` and `raw`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks trusted, already-escaped markup. */
export const raw = (markup: string) => new SafeHtml(markup);

type Interpolated = SafeHtml | string | number | boolean | null | undefined | readonly Interpolated[];

/** Tagged template: every interpolated value is escaped unless it is SafeHtml (arrays are joined). */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

function render(v: Interpolated): string {
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return (v as readonly Interpolated[]).map(render).join("");
  if (v === null || v === undefined || v === false) return "";
  return escapeHtml(v as string | number | boolean);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d1c1d;background:#fff}
header.bar{background:#4a154b;color:#fff;padding:10px 20px;display:flex;gap:16px;align-items:center}
header.bar a{color:#fff}
main{padding:16px 20px;max-width:1200px}
main.wide{max-width:1560px}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6}
time{white-space:nowrap}
code,.mono{font-family:ui-monospace,Menlo,monospace;font-size:12px}
.sev{font-weight:700}.sev-P0{color:#b5271b}.sev-P1{color:#d2691e}.sev-P2{color:#a07800}.sev-P3{color:#557}
.ok{color:#1a7f37;font-weight:600}.broken{color:#b5271b;font-weight:700}
.muted{color:#666}
section.card{border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:12px 0;break-inside:avoid}
.problem{background:#fff1f0;border:1px solid #f5c2c0;border-radius:6px;padding:8px 12px}
form.filters{display:flex;flex-wrap:wrap;gap:12px;align-items:end;margin:8px 0 16px}
form.filters fieldset{border:1px solid #ddd;border-radius:6px;padding:2px 8px;margin:0}
form.filters label.check{margin-right:6px}
.figures{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.figure{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.figure .value{display:block;font-size:24px;font-weight:700}
.figure .label{color:#666}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(740px,1fr));gap:0 16px}
.chart-svg{max-width:100%;height:auto;font-size:11px;fill:#444}
.chart-svg .grid{stroke:#eee}.chart-svg .axis{stroke:#999}
.chart-svg .bar-value{font-size:10px;fill:#333}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;padding:0;margin:4px 0}
.swatch{display:inline-block;width:18px;height:0;border-top:3px solid var(--c);margin-right:6px;vertical-align:middle}
.swatch.dashed{border-top-style:dashed}
details.table-view summary,details.raw summary{cursor:pointer;color:#1264a3}
.chart-table td,.chart-table th{padding:3px 8px}
.empty{color:#666;font-style:italic}
nav.timeline-filters{display:flex;flex-wrap:wrap;gap:6px;margin:8px 0}
nav.timeline-filters a{border:1px solid #ccc;border-radius:14px;padding:2px 10px;text-decoration:none;color:#1d1c1d}
nav.timeline-filters a.on{background:#4a154b;border-color:#4a154b;color:#fff}
td.hash{max-width:9ch;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.raw pre{white-space:pre-wrap;word-break:break-all;max-width:60ch;background:#f6f6f6;padding:6px;margin:4px 0}
ul.follow-ups{list-style:none;padding:0}
ul.follow-ups li{padding:4px 0;display:flex;gap:8px;align-items:baseline}
ul.follow-ups li.done .text{text-decoration:line-through;color:#666}
ul.follow-ups form{display:inline}
@media print{
  header.bar,form.filters,nav.timeline-filters,.downloads,.no-print,ul.follow-ups form{display:none}
  main,main.wide{max-width:none;padding:0}
  body{font-size:11px;color:#000}
  a{color:#000;text-decoration:none}
  section.card{border:none;padding:0;margin:8px 0}
  details.table-view>summary,details.raw>summary{display:none}
  details.raw{display:none}
  td.hash{max-width:none;overflow:visible;white-space:normal;word-break:break-all;font-size:8px}
  th{background:none}
  tr{break-inside:avoid}
  .charts{display:block}
  .chart-svg{max-width:100%}
}
`;

/** A whole page with Firebreak's bar, navigation and stylesheet (screen and print). */
export function layout(title: string, body: SafeHtml, opts: { wide?: boolean } = {}): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · Firebreak</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <header class="bar">
          <strong>Firebreak</strong><a href="/incidents">Incidents</a><a href="/insights">Insights</a>
        </header>
        <main${opts.wide ? raw(' class="wide"') : ""}>${body}</main>
      </body>
    </html>`.value;
}
