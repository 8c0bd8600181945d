import http from "node:http";
import type { AddressInfo } from "node:net";

/** One series of an instant vector, as the fake should answer it. */
export interface FakeSeries {
  readonly metric: Record<string, string>;
  /** A number, or Prometheus's spelling of a special value ("NaN", "+Inf"). */
  readonly value: number | string;
}

/** One series of a range vector (what `metric[5m]` returns from an instant query). */
export interface FakeRangeSeries {
  readonly metric: Record<string, string>;
  readonly values: readonly (number | string)[];
}

/** An error the fake answers for a given query, in the API's own error format. */
export interface FakeError {
  readonly httpStatus: 400 | 422 | 503;
  readonly errorType: "bad_data" | "execution" | "timeout" | "canceled" | "unavailable" | "internal";
  readonly error: string;
}

export interface FakePrometheusOptions {
  /** Instant-vector answers by exact query text (after trimming). */
  readonly vectors?: Record<string, readonly FakeSeries[]>;
  readonly matrices?: Record<string, readonly FakeRangeSeries[]>;
  readonly errors?: Record<string, FakeError>;
  /** Warnings the API attaches to a successful answer, by query. */
  readonly warnings?: Record<string, readonly string[]>;
}

/** What the fake received: parsed the way Prometheus parses it (GET query string or POST form). */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
}

export interface FakePrometheus {
  readonly url: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
/** Characters PromQL's lexer can start a token with; the first one outside is a parse error. */
const PROMQL_CHAR = /[A-Za-z0-9_:{}()[\]=!~"'`,.+\-*/%^<>@\s]/;

/**
 * A tiny Prometheus that speaks the real HTTP API for instant queries: `GET` or `POST`
 * (form-encoded) `/api/v1/query` with `query` and optional `time` and `timeout`, answering
 * the documented JSON envelope (`status`, `data.resultType`, `data.result`, `warnings`,
 * or `errorType` and `error` with 400/422/503). Queries it knows are answered from the
 * options; a numeric literal is a scalar; a character PromQL has no token for, or an
 * unterminated string, is a parse error worded as Prometheus words it; any other query is
 * an empty vector, as a real server answers for series it does not have.
 */
export async function startFakePrometheus(options: FakePrometheusOptions = {}): Promise<FakePrometheus> {
  const requests: FakeRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://fake");
      const params =
        req.method === "POST"
          ? new URLSearchParams(Buffer.concat(chunks).toString("utf8"))
          : url.searchParams;
      requests.push({ method: req.method ?? "", path: url.pathname, params, headers: req.headers });
      if (url.pathname !== "/api/v1/query") {
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("404 page not found\n");
        return;
      }
      if (req.method !== "GET" && req.method !== "POST") {
        res.writeHead(405, { "content-type": "text/plain; charset=utf-8" }).end("Method Not Allowed\n");
        return;
      }
      const [status, body] = answer(options, params);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(options: FakePrometheusOptions, params: URLSearchParams): [number, unknown] {
  const rawTime = params.get("time");
  let at = Date.now() / 1000;
  if (rawTime !== null) {
    const parsed = NUMBER.test(rawTime) ? Number(rawTime) : Date.parse(rawTime) / 1000;
    if (!Number.isFinite(parsed)) {
      return badData(`invalid parameter "time": cannot parse "${rawTime}" to a valid timestamp`);
    }
    at = parsed;
  }
  const query = (params.get("query") ?? "").trim();
  if (query === "")
    return badData('invalid parameter "query": 1:1: parse error: no expression found in input');

  const error = options.errors?.[query];
  if (error) return [error.httpStatus, { status: "error", errorType: error.errorType, error: error.error }];

  const warnings = options.warnings?.[query];
  const success = (data: unknown): [number, unknown] => [
    200,
    warnings ? { status: "success", data, warnings } : { status: "success", data },
  ];
  const vector = options.vectors?.[query];
  if (vector) {
    return success({
      resultType: "vector",
      result: vector.map((s) => ({ metric: s.metric, value: [at, String(s.value)] })),
    });
  }
  const matrix = options.matrices?.[query];
  if (matrix) {
    return success({
      resultType: "matrix",
      result: matrix.map((s) => ({
        metric: s.metric,
        values: s.values.map((v, i) => [at - (s.values.length - 1 - i) * 15, String(v)]),
      })),
    });
  }
  if (NUMBER.test(query)) return success({ resultType: "scalar", result: [at, String(Number(query))] });

  const chars = [...query];
  const offset = chars.findIndex((c) => !PROMQL_CHAR.test(c));
  if (offset >= 0) {
    return badData(
      `invalid parameter "query": 1:${offset + 1}: parse error: unexpected character: '${chars[offset]}'`,
    );
  }
  for (const quote of ["'", '"', "`"]) {
    if (chars.filter((c) => c === quote).length % 2 === 1) {
      const at1 = chars.indexOf(quote) + 1;
      return badData(`invalid parameter "query": 1:${at1}: parse error: unterminated quoted string`);
    }
  }
  // Well-formed but about series the fake does not hold: a real server answers an empty vector too.
  return success({ resultType: "vector", result: [] });
}

function badData(error: string): [number, unknown] {
  return [400, { status: "error", errorType: "bad_data", error }];
}
