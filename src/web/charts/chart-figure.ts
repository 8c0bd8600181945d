import type { Chart } from "../../core/insights/chart.js";
import { chartTable, hasData } from "../../core/insights/chart.js";
import { html } from "../html.js";
import type { SafeHtml } from "../html.js";
import { horizontalBarsSvg, stackedBarsSvg } from "./bar-charts.js";
import { lineChartSvg } from "./line-chart.js";
import { colourOf, formatValue } from "./scale.js";

/** The chart drawn as SVG (no script, no external asset: it prints and works air-gapped). */
export function chartSvg(chart: Chart): SafeHtml {
  if (chart.kind === "line") return lineChartSvg(chart);
  if (chart.kind === "stacked-bars" && !chart.horizontal) return stackedBarsSvg(chart);
  return horizontalBarsSvg(chart);
}

function legend(chart: Chart): SafeHtml {
  return html`<ul class="legend">
    ${chart.series.map((s, i) =>
      s.tableOnly
        ? ""
        : html`<li>
            <span class="swatch${s.dashed ? " dashed" : ""}" style="--c:${colourOf(s, i)}"></span>${s.label}
          </li>`,
    )}
  </ul>`;
}

/** The table view: every figure of the chart, formatted, with the raw value in data-value. */
export function chartTableHtml(chart: Chart): SafeHtml {
  const t = chartTable(chart);
  return html`<table class="chart-table" data-chart-table="${chart.id}">
    <thead>
      <tr>
        ${t.header.map((h) => html`<th>${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${t.rows.map(
        (r, i) =>
          html`<tr data-category="${r.category}">
            <th scope="row" ${chart.categoryDetails?.[i] ? html` title="${chart.categoryDetails[i]}"` : ""}>
              ${r.category}
            </th>
            ${r.values.map(
              (v, k) =>
                html`<td data-series="${chart.series[k]!.key}" data-value="${v ?? ""}">
                  ${formatValue(v, chart.series[k]!.unit)}
                </td>`,
            )}
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** One chart as a card: title, what it means, the SVG (or why it is empty), legend, table view and CSV link. */
export function chartFigure(chart: Chart, csvHref: string): SafeHtml {
  const empty = !hasData(chart);
  return html`<section class="card chart" id="chart-${chart.id}" data-chart="${chart.id}">
    <h2>${chart.title}</h2>
    <p class="muted">${chart.description}</p>
    ${empty ? html`<p class="empty">${chart.emptyText}</p>` : html`${chartSvg(chart)}${legend(chart)}`}
    <details class="table-view" ${empty ? " open" : ""}>
      <summary>Table</summary>
      ${chartTableHtml(chart)}
    </details>
    <p class="downloads"><a href="${csvHref}" download>Download CSV</a></p>
  </section>`;
}
