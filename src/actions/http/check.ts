import { isIP } from "node:net";
import { z } from "zod";
import { FirebreakError } from "../../core/errors.js";
import type { ActionContext, ActionDefinition, ActionOutput } from "../types.js";
import { measureRequest, RequestFailure } from "./measure-request.js";
import type { MeasuredResponse, Phase, PhaseMarks } from "./measure-request.js";
import { translateNetError } from "./net-errors.js";
import { expectedStatusSchema, pathSchema } from "./schemas.js";
import { DEFAULT_TIMEOUT_MS } from "./target.js";
import type { HttpTarget } from "./target.js";

const MAX_BODY_BYTES = 1024 * 1024;

export const httpCheckArgs = z.strictObject({
  /** Absolute path (and query) on the target's origin; the target's own URL when absent. */
  path: pathSchema.optional(),
  method: z.enum(["GET", "HEAD"]).default("GET"),
  /** Status codes that count as healthy; any 2xx or 3xx when absent. */
  expectStatus: expectedStatusSchema.optional(),
});
/** Arguments of `http.check`. */
export type HttpCheckArgs = z.infer<typeof httpCheckArgs>;

const PHASES: readonly Phase[] = ["dns", "connect", "tls", "first_byte", "total"];
const WAITING_FOR: Record<Phase, string> = {
  dns: "a DNS answer",
  connect: "the TCP connection",
  tls: "the TLS handshake",
  first_byte: "the response headers",
  total: "the end of the body",
};

/** `http.check`: one request on a fresh connection, with measured DNS, connect, TLS, first-byte and total times. */
export const httpCheck: ActionDefinition<HttpCheckArgs, HttpTarget> = {
  name: "http.check",
  kind: "diagnostic",
  targetType: "http",
  description: "Request the endpoint once: status, and DNS, connect, TLS, first byte and total times.",
  argsSchema: httpCheckArgs,
  run: async (ctx, args) => {
    const url = requestUrl(ctx.target, args.path);
    const shown = `${url.origin}${url.pathname}`;
    const timeoutMs = ctx.target.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const deadline = AbortSignal.timeout(timeoutMs);
    let res: MeasuredResponse;
    try {
      res = await measureRequest(url, {
        method: args.method,
        signal: AbortSignal.any([ctx.signal, deadline]),
        maxBodyBytes: MAX_BODY_BYTES,
        ...(ctx.target.ca ? { ca: ctx.target.ca } : {}),
      });
    } catch (err) {
      throw failure(ctx, err, url, { timedOut: deadline.aborted && !ctx.signal.aborted, timeoutMs });
    }
    const healthy = args.expectStatus
      ? args.expectStatus.includes(res.status)
      : res.status >= 200 && res.status < 400;
    const total = res.marks.total ?? 0;
    const expected = args.expectStatus ? `expected ${args.expectStatus.join(" or ")}` : "expected 2xx or 3xx";
    return {
      summary: `${ctx.target.name}: ${args.method} ${shown} → ${res.status} ${res.statusText} in ${ms(total)} ms${healthy ? "" : ` (${expected})`}`,
      status: healthy ? "ok" : "error",
      table: timingTable(res.marks),
      text: details(res),
    };
  },
};

/** The target's URL, or its origin with `path` in place of its path and query. */
function requestUrl(target: HttpTarget, path: string | undefined): URL {
  let base: URL;
  try {
    base = new URL(target.url);
  } catch (err) {
    throw new FirebreakError("config_invalid", `HTTP target ${target.name}: its url is not a valid URL.`, {
      cause: err,
    });
  }
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new FirebreakError(
      "config_invalid",
      `HTTP target ${target.name}: its url must be http:// or https://.`,
    );
  }
  if (path === undefined) return base;
  const url = new URL(base.href);
  const [pathname = "/", search] = path.split("?", 2);
  url.pathname = pathname;
  url.search = search === undefined ? "" : `?${search}`;
  if (url.origin !== base.origin)
    throw new FirebreakError("input_invalid", "The path must stay on the target's origin.");
  return url;
}

/** Each phase with the time it completed (cumulative, like curl's -w times) and what it took on its own. */
function timingTable(marks: PhaseMarks): ActionOutput["table"] {
  let previous = 0;
  const rows = PHASES.map((phase) => {
    const at = marks[phase];
    if (at === undefined) return [phase, null, null];
    const took = at - previous;
    previous = at;
    return [phase, ms(at), ms(took)];
  });
  return { columns: ["phase", "at_ms", "took_ms"], rows };
}

function details(res: MeasuredResponse): string {
  const lines = [`status: ${res.status} ${res.statusText}`, `remote: ${res.remote ?? "?"}`];
  for (const name of ["content-type", "content-length", "server", "location", "retry-after"]) {
    const value = res.headers[name];
    if (value !== undefined) lines.push(`${name}: ${Array.isArray(value) ? value.join(", ") : value}`);
  }
  lines.push(`body: ${res.bytes} bytes${res.truncated ? " (stopped reading at 1 MiB)" : ""}`);
  if (res.tls) {
    lines.push(
      `tls: ${res.tls.protocol ?? "?"}, certificate ${res.tls.subject ?? "?"} valid until ${res.tls.validTo ?? "?"}`,
    );
  }
  return lines.join("\n");
}

function failure(
  ctx: ActionContext<HttpTarget>,
  err: unknown,
  url: URL,
  opts: { timedOut: boolean; timeoutMs: number },
): FirebreakError {
  const reached = err instanceof RequestFailure ? err.reached : {};
  const cause = err instanceof RequestFailure ? err.cause : err;
  const where = `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`;
  if (opts.timedOut || ctx.signal.aborted) {
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    const expected = PHASES.filter(
      (p) => (p !== "dns" || isIP(host) === 0) && (p !== "tls" || url.protocol === "https:"),
    );
    const waiting = WAITING_FOR[expected.find((p) => reached[p] === undefined) ?? "total"];
    const message = opts.timedOut
      ? `${ctx.target.name}: no answer from ${where} within ${opts.timeoutMs} ms (still waiting for ${waiting}).`
      : `${ctx.target.name}: the check was stopped while waiting for ${waiting}.`;
    return new FirebreakError("timeout", message, { cause, details: { target: ctx.target.name, reached } });
  }
  return translateNetError(cause, ctx.target.name, where);
}

function ms(value: number): number {
  return Math.round(value * 100) / 100;
}
