import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition } from "../types.js";
import { resultTable } from "./response.js";
import type { PromEnvelope } from "./response.js";
import type { PrometheusTarget } from "./target.js";

const TIMEOUT_MS = 15_000;

export const prometheusQueryArgs = z.strictObject({
  /**
   * PromQL. It is the argument itself (a read-only query language), so it is bounded rather
   * than restricted: one line, no control characters, at most 2000 characters. It travels
   * only as an encoded URL parameter; Prometheus parses it.
   */
  query: z
    .string()
    .max(2000)
    // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
    .regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, "a query is one line without control characters")
    .transform((q) => q.trim())
    .pipe(z.string().min(1, "a query is required")),
  /** Evaluation time (RFC 3339); Prometheus's now when absent. */
  time: z.iso.datetime({ offset: true }).optional(),
  /** Rows shown. */
  limit: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^[0-9]{1,3}$/)
        .transform(Number),
    ])
    .pipe(z.number().int().min(1).max(200))
    .default(50),
});
/** Arguments of `prometheus.query`. */
export type PrometheusQueryArgs = z.infer<typeof prometheusQueryArgs>;

/** `prometheus.query`: one instant query through /api/v1/query, rendered as labels + value. */
export const prometheusQuery: ActionDefinition<PrometheusQueryArgs, PrometheusTarget> = {
  name: "prometheus.query",
  kind: "diagnostic",
  targetType: "prometheus",
  description: "Run a PromQL instant query and show the result as labels and values.",
  argsSchema: prometheusQueryArgs,
  run: async (ctx, args) => {
    const { url, headers } = endpoint(ctx.target);
    url.searchParams.set("query", args.query);
    if (args.time) url.searchParams.set("time", args.time);
    url.searchParams.set("timeout", `${Math.floor(TIMEOUT_MS / 1000) - 1}s`);
    const envelope = await fetchEnvelope(ctx, url, headers);
    const data = envelope.data;
    if (!data) throw unexpected(ctx.target.name, "a success without data");
    const { table, series } = resultTable(data, args.limit);
    const short = args.query.length > 80 ? `${args.query.slice(0, 79)}…` : args.query;
    const what =
      data.resultType === "scalar" || data.resultType === "string"
        ? `${data.resultType} ${data.result[1]}`
        : `${series} series${series > args.limit ? ` (showing ${args.limit})` : ""}`;
    const warnings = envelope.warnings ?? [];
    return {
      summary: `${ctx.target.name}: ${short} → ${what}`,
      status: warnings.length > 0 ? "warning" : "ok",
      table,
      ...(warnings.length > 0 ? { text: warnings.map((w) => `warning: ${w}`).join("\n") } : {}),
    };
  },
};

/** The query URL without credentials (fetch refuses them in URLs), and basic auth from them. */
function endpoint(target: PrometheusTarget): { url: URL; headers: Record<string, string> } {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch (err) {
    throw new FirebreakError(
      "config_invalid",
      `Prometheus target ${target.name}: its url is not a valid URL.`,
      { cause: err },
    );
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new FirebreakError(
      "config_invalid",
      `Prometheus target ${target.name}: its url must be http:// or https://.`,
    );
  }
  const headers: Record<string, string> = { accept: "application/json" };
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    base.username = "";
    base.password = "";
  }
  base.search = "";
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  return { url: new URL("api/v1/query", base), headers };
}

async function fetchEnvelope(
  ctx: ActionContext<PrometheusTarget>,
  url: URL,
  headers: Record<string, string>,
): Promise<PromEnvelope> {
  const name = ctx.target.name;
  const deadline = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  let body: string;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.any([ctx.signal, deadline]), redirect: "error" });
    body = await res.text();
  } catch (err) {
    throw fetchFailure(name, err, deadline.aborted && !ctx.signal.aborted);
  }
  if (res.status === 401 || res.status === 403) {
    throw new FirebreakError(
      "forbidden",
      `Prometheus ${name} answered HTTP ${res.status}: check the credentials in its target URL.`,
    );
  }
  let envelope: PromEnvelope;
  try {
    envelope = JSON.parse(body) as PromEnvelope;
  } catch (err) {
    throw new FirebreakError(
      "dependency_unavailable",
      `Prometheus ${name} answered HTTP ${res.status} with something that is not the Prometheus API: check its URL (a proxy in the way?).`,
      { cause: err },
    );
  }
  if (envelope.status === "error") throw apiError(name, envelope, res.status);
  if (envelope.status !== "success") throw unexpected(name, `status ${String(envelope.status)}`);
  return envelope;
}

/** Prometheus's own error types (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview). */
function apiError(name: string, envelope: PromEnvelope, httpStatus: number): FirebreakError {
  const detail = envelope.error ?? "no detail";
  const options = { details: { target: name, errorType: envelope.errorType, httpStatus } };
  switch (envelope.errorType) {
    case "bad_data":
      return new FirebreakError("input_invalid", `Prometheus ${name} rejected the query: ${detail}`, options);
    case "timeout":
    case "canceled":
      return new FirebreakError(
        "timeout",
        `Prometheus ${name} gave up on the query (${detail}); narrow it or shorten its range.`,
        options,
      );
    case "unavailable":
      return new FirebreakError(
        "dependency_unavailable",
        `Prometheus ${name} is unavailable: ${detail}`,
        options,
      );
    case "execution":
      return new FirebreakError(
        "action_failed",
        `Prometheus ${name} could not evaluate the query: ${detail}`,
        options,
      );
    default:
      return new FirebreakError(
        "action_failed",
        `Prometheus ${name} failed (${envelope.errorType ?? "unknown"}): ${detail}`,
        options,
      );
  }
}

function fetchFailure(name: string, err: unknown, timedOut: boolean): FirebreakError {
  if (timedOut)
    return new FirebreakError("timeout", `Prometheus ${name} did not answer within ${TIMEOUT_MS / 1000} s.`, {
      cause: err,
    });
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code;
  if (cause?.message === "bad port") {
    return new FirebreakError(
      "config_invalid",
      `Prometheus ${name}: the port in its URL is one that fetch refuses (the Fetch standard's blocked ports); use another.`,
      { cause: err },
    );
  }
  switch (code) {
    case "ECONNREFUSED":
      return new FirebreakError(
        "dependency_unavailable",
        `Prometheus ${name} refused the connection: is it down, or is the port in its URL wrong?`,
        { cause: err },
      );
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return new FirebreakError(
        "dependency_unavailable",
        `Prometheus ${name}: the host name in its URL does not resolve.`,
        { cause: err },
      );
  }
  if (err instanceof Error && err.name === "AbortError") {
    return new FirebreakError("timeout", `Prometheus ${name}: the query was stopped before it finished.`, {
      cause: err,
    });
  }
  return new FirebreakError(
    "dependency_unavailable",
    `Prometheus ${name} could not be reached (${code ?? (err instanceof Error ? err.message : String(err))}).`,
    { cause: err },
  );
}

function unexpected(name: string, what: string): FirebreakError {
  return new FirebreakError(
    "action_failed",
    `Prometheus ${name} answered ${what}, which Firebreak does not understand.`,
  );
}
