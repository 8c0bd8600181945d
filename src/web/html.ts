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
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
th,td{border-bottom:1px solid #ddd;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f6f6f6}
time{white-space:nowrap}
code,.mono{font-family:ui-monospace,Menlo,monospace;font-size:12px}
.sev{font-weight:700}.sev-P0{color:#b5271b}.sev-P1{color:#d2691e}.sev-P2{color:#a07800}.sev-P3{color:#557}
.ok{color:#1a7f37;font-weight:600}.broken{color:#b5271b;font-weight:700}
.muted{color:#666}
section.card{border:1px solid #ddd;border-radius:6px;padding:8px 16px;margin:12px 0}
`;

/** A whole page with Firebreak's bar and stylesheet. */
export function layout(title: string, body: SafeHtml): string {
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
        <header class="bar"><strong>Firebreak</strong><a href="/incidents">Incidents</a></header>
        <main>${body}</main>
      </body>
    </html>`.value;
}
