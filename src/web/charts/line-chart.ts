import type { Chart } from "../../core/insights/chart.js";
import { html } from "../html.js";
import type { SafeHtml } from "../html.js";
import { colourOf, formatValue, maxOf, niceTicks, px, shortDay } from "./scale.js";

const W = 720;
const H = 260;
const M = { top: 12, right: 28, bottom: 34, left: 64 };

/** Lines over weeks (time to acknowledge, to resolve): a point per figure, a gap where a week has none. */
export function lineChartSvg(chart: Chart): SafeHtml {
  const drawn = chart.series.map((s, i) => ({ s, colour: colourOf(s, i) })).filter((x) => !x.s.tableOnly);
  const unit = drawn[0]?.s.unit ?? "count";
  const ticks = niceTicks(maxOf(chart.series, false), unit);
  const top = ticks.at(-1)!;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const n = chart.categories.length;
  const x = (i: number) => M.left + (n <= 1 ? plotW / 2 : (i * plotW) / (n - 1));
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const every = Math.max(1, Math.ceil(n / 12));
  return html`<svg
    class="chart-svg"
    viewBox="0 0 ${W} ${H}"
    width="${W}"
    height="${H}"
    role="img"
    aria-label="${chart.title}"
    data-kind="line"
  >
    ${ticks.map(
      (t) =>
        html`<g class="tick"
          ><line x1="${M.left}" x2="${W - M.right}" y1="${px(y(t))}" y2="${px(y(t))}" class="grid" />
          <text x="${M.left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${formatValue(t, unit)}</text></g
        >`,
    )}
    ${chart.categories.map((c, i) =>
      i % every === 0
        ? html`<text class="x-label" x="${px(x(i))}" y="${H - M.bottom + 16}" text-anchor="middle"
            >${shortDay(c)}</text
          >`
        : "",
    )}
    ${drawn.map(({ s, colour }) => {
      const segments: string[] = [];
      let current: string[] = [];
      s.values.forEach((v, i) => {
        if (v === null) {
          if (current.length) segments.push(current.join(" "));
          current = [];
        } else current.push(`${current.length ? "L" : "M"}${px(x(i))},${px(y(v))}`);
      });
      if (current.length) segments.push(current.join(" "));
      return html`<g class="series" data-series="${s.key}">
        ${segments.map(
          (d) =>
            html`<path
              d="${d}"
              fill="none"
              stroke="${colour}"
              stroke-width="2"
              ${s.dashed ? html` stroke-dasharray="6 4"` : ""}
            />`,
        )}
        ${s.values.map((v, i) =>
          v === null
            ? ""
            : html`<circle
                cx="${px(x(i))}"
                cy="${px(y(v))}"
                r="3"
                fill="${s.dashed ? "#fff" : colour}"
                stroke="${colour}"
                data-series="${s.key}"
                data-category="${chart.categories[i]}"
                data-value="${v}"
                ><title>${s.label}, week of ${chart.categories[i]}: ${formatValue(v, s.unit)}</title></circle
              >`,
        )}
      </g>`;
    })}
    <line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${px(y(0))}" y2="${px(y(0))}" />
  </svg>`;
}
