import type { Chart } from "../../core/insights/chart.js";
import { html } from "../html.js";
import type { SafeHtml } from "../html.js";
import { colourOf, formatValue, maxOf, niceTicks, px, shortDay } from "./scale.js";

const W = 720;

/** Bars up per week, each week's series stacked (incidents by severity, breaches). */
export function stackedBarsSvg(chart: Chart): SafeHtml {
  const H = 240;
  const M = { top: 12, right: 28, bottom: 34, left: 48 };
  const drawn = chart.series.map((s, i) => ({ s, colour: colourOf(s, i) })).filter((x) => !x.s.tableOnly);
  const unit = drawn[0]?.s.unit ?? "count";
  const ticks = niceTicks(maxOf(chart.series, true), unit);
  const top = ticks.at(-1)!;
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const n = Math.max(1, chart.categories.length);
  const slot = plotW / n;
  const barW = Math.max(2, Math.min(40, slot * 0.7));
  const y = (v: number) => M.top + plotH - (v / top) * plotH;
  const every = Math.max(1, Math.ceil(n / 12));
  return html`<svg
    class="chart-svg"
    viewBox="0 0 ${W} ${H}"
    width="${W}"
    height="${H}"
    role="img"
    aria-label="${chart.title}"
    data-kind="stacked-bars"
  >
    ${ticks.map(
      (t) =>
        html`<g class="tick"
          ><line x1="${M.left}" x2="${W - M.right}" y1="${px(y(t))}" y2="${px(y(t))}" class="grid" />
          <text x="${M.left - 6}" y="${px(y(t) + 4)}" text-anchor="end">${formatValue(t, unit)}</text></g
        >`,
    )}
    ${chart.categories.map((c, i) => {
      const cx = M.left + slot * i + slot / 2;
      let base = 0;
      const bars = drawn.map(({ s, colour }) => {
        const v = s.values[i] ?? 0;
        if (v <= 0)
          return html`<rect
            width="0"
            height="0"
            data-series="${s.key}"
            data-category="${c}"
            data-value="${v}"
          />`;
        const rect = html`<rect
          x="${px(cx - barW / 2)}"
          y="${px(y(base + v))}"
          width="${px(barW)}"
          height="${px(y(base) - y(base + v))}"
          fill="${colour}"
          data-series="${s.key}"
          data-category="${c}"
          data-value="${v}"
          ><title>${s.label}, week of ${c}: ${formatValue(v, s.unit)}</title></rect
        >`;
        base += v;
        return rect;
      });
      return html`<g class="category"
        >${bars}${
          i % every === 0
            ? html`<text class="x-label" x="${px(cx)}" y="${H - M.bottom + 16}" text-anchor="middle"
                >${shortDay(c)}</text
              >`
            : ""
        }</g
      >`;
    })}
    <line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${px(y(0))}" y2="${px(y(0))}" />
  </svg>`;
}

/** Bars across, one row per category (a person, an alert group, a command), series side by side. */
export function horizontalBarsSvg(chart: Chart): SafeHtml {
  const drawn = chart.series.map((s, i) => ({ s, colour: colourOf(s, i) })).filter((x) => !x.s.tableOnly);
  const unit = drawn[0]?.s.unit ?? "count";
  const ticks = niceTicks(maxOf(chart.series, false), unit);
  const top = ticks.at(-1)!;
  const M = { top: 8, right: 48, bottom: 26, left: 230 };
  const barH = 10;
  const rowH = Math.max(22, drawn.length * (barH + 2) + 8);
  const H = M.top + M.bottom + rowH * chart.categories.length;
  const plotW = W - M.left - M.right;
  const x = (v: number) => M.left + (v / top) * plotW;
  const clip = (s: string) => (s.length > 34 ? `${s.slice(0, 33)}…` : s);
  return html`<svg
    class="chart-svg"
    viewBox="0 0 ${W} ${H}"
    width="${W}"
    height="${H}"
    role="img"
    aria-label="${chart.title}"
    data-kind="bars"
  >
    ${ticks.map(
      (t) =>
        html`<g class="tick"
          ><line x1="${px(x(t))}" x2="${px(x(t))}" y1="${M.top}" y2="${H - M.bottom}" class="grid" />
          <text x="${px(x(t))}" y="${H - M.bottom + 16}" text-anchor="middle"
            >${formatValue(t, unit)}</text
          ></g
        >`,
    )}
    ${chart.categories.map((c, i) => {
      const rowTop = M.top + i * rowH + 4;
      return html`<g class="category">
        <text class="y-label" x="${M.left - 8}" y="${px(rowTop + (rowH - 8) / 2 + 4)}" text-anchor="end"
          ><title>${c}</title>${clip(c)}</text
        >
        ${drawn.map(({ s, colour }, k) => {
          const v = s.values[i] ?? 0;
          const by = rowTop + k * (barH + 2);
          return html`<rect
              x="${M.left}"
              y="${px(by)}"
              width="${px(Math.max(0, x(v) - M.left))}"
              height="${barH}"
              fill="${colour}"
              data-series="${s.key}"
              data-category="${c}"
              data-value="${v}"
              ><title>${s.label}, ${c}: ${formatValue(v, s.unit)}</title></rect
            >
            <text class="bar-value" x="${px(x(v) + 4)}" y="${px(by + barH - 1)}"
              >${formatValue(v, s.unit)}</text
            >`;
        })}
      </g>`;
    })}
    <line class="axis" x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" />
  </svg>`;
}
