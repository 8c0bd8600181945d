import type { Insights } from "../core/insights/build-insights.js";
import type { FilterProblem, InsightsFilter } from "../core/insights/filter.js";
import { filterQuery } from "../core/insights/filter.js";
import { SEVERITIES } from "../core/incident/severity.js";
import { chartFigure } from "./charts/chart-figure.js";
import { formatValue } from "./charts/scale.js";
import { html, layout } from "./html.js";
import type { SafeHtml } from "./html.js";

/** What the filter form starts from (a parsed filter, or the raw query after a problem). */
export interface FilterFormValues {
  from: string;
  to: string;
  severities: readonly string[];
  source: string;
  service: string;
}

export const formValues = (f: InsightsFilter): FilterFormValues => ({
  from: f.fromDay,
  to: f.toDay,
  severities: f.severities,
  source: f.origin ?? "",
  service: f.service ?? "",
});

function filterForm(v: FilterFormValues, services: readonly string[]): SafeHtml {
  const option = (value: string, label: string, selected: string) =>
    html`<option value="${value}" ${value === selected ? " selected" : ""}>${label}</option>`;
  return html`<form class="filters" method="get" action="/insights">
    <label>From <input type="date" name="from" value="${v.from}" required /></label>
    <label>To <input type="date" name="to" value="${v.to}" required /></label>
    <fieldset>
      <legend>Severity</legend>
      ${SEVERITIES.map(
        (s) =>
          html`<label class="check"
            ><input
              type="checkbox"
              name="severity"
              value="${s}"
              ${v.severities.includes(s) ? " checked" : ""}
            />${s}</label
          >`,
      )}
    </fieldset>
    <label
      >Source
      <select name="source">
        ${option("", "all", v.source)} ${option("manual", "declared by people", v.source)}
        ${option("alert", "from alerts", v.source)}
      </select>
    </label>
    ${
      services.length
        ? html`<label
            >Service
            <select name="service">
              ${option("", "all", v.service)} ${services.map((s) => option(s, s, v.service))}
            </select>
          </label>`
        : ""
    }
    <button type="submit">Apply</button>
    <a href="/insights">Last 12 weeks</a>
  </form>`;
}

function figure(
  label: string,
  value: number | null,
  id: string,
  unit: "count" | "ratio" = "count",
): SafeHtml {
  return html`<div class="figure" id="${id}" data-value="${value ?? ""}">
    <span class="value">${formatValue(value, unit)}</span><span class="label">${label}</span>
  </div>`;
}

/** GET /insights: the filter, headline figures, every chart with its table and CSV, and the runs. */
export function renderInsightsPage(insights: Insights, services: readonly string[]): string {
  const f = insights.filter;
  const csv = (id: string) => `/insights/${id}.csv?${filterQuery(f)}`;
  const runs = insights.runs;
  const byId = new Map(insights.charts.map((c) => [c.id, c]));
  const chart = (id: string) => (byId.get(id) ? chartFigure(byId.get(id)!, csv(id)) : "");
  return layout(
    "Insights",
    html`<h1>Insights</h1>
      <p class="muted">
        ${f.fromDay} to ${f.toDay}
        (${f.timeZone})${f.severities.length ? html` · ${f.severities.join(", ")}` : ""}${
          f.origin ? html` · ${f.origin === "manual" ? "declared by people" : "from alerts"}` : ""
        }${f.service ? html` · service ${f.service}` : ""}
      </p>
      ${filterForm(formValues(f), services)}
      <div class="figures" data-figures="totals">
        ${figure("incidents", insights.totals.incidents, "figure-incidents")}
        ${figure("response targets missed", insights.totals.breaches, "figure-breaches")}
        ${figure("pages", insights.totals.pages, "figure-pages")}
        ${figure("night pages", insights.totals.nightPages, "figure-night-pages")}
      </div>
      <div class="charts">
        ${chart("time-to-acknowledge")} ${chart("time-to-resolve")} ${chart("incidents-per-week")}
        ${chart("response-target-breaches")} ${chart("on-call-load")} ${chart("noisy-alerts")}
      </div>
      <section class="card" id="runs" data-chart="runs">
        <h2>Runs</h2>
        <div class="figures" data-figures="runs">
          ${figure("runs requested", runs.requested, "figure-runs")}
          ${figure("ran", runs.started, "figure-runs-started")}
          ${figure("success rate", runs.successRate, "figure-success-rate", "ratio")}
          ${figure("failed", runs.failed, "figure-runs-failed")}
          ${figure("denied or expired", runs.notRun, "figure-runs-not-run")}
        </div>
        <p class="muted">
          Success rate: runs that succeeded among those that ran to an end (failed and interrupted runs count
          against it).
        </p>
      </section>
      ${chart("top-commands")}`,
    { wide: true },
  );
}

/** 400: the filter could not be read; the form again, with what to fix. */
export function renderInsightsProblem(
  problem: FilterProblem,
  values: FilterFormValues,
  services: readonly string[],
): string {
  return layout(
    "Insights",
    html`<h1>Insights</h1>
      <p class="problem" role="alert" data-field="${problem.field}">
        <strong>${problem.field}:</strong> ${problem.message}
      </p>
      ${filterForm(values, services)}`,
    { wide: true },
  );
}
