import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheusQuery } from "../../src/actions/prometheus/index.js";
import type { PrometheusTarget } from "../../src/actions/prometheus/index.js";
import { rejection, runAction } from "../support/actions.js";
import { startFakePrometheus } from "../fakes/prometheus-server.js";
import type { FakePrometheus } from "../fakes/prometheus-server.js";

const query = (t: PrometheusTarget, args: unknown) => runAction(prometheusQuery, t, args);

let prom: FakePrometheus;
let target: PrometheusTarget;
beforeAll(async () => {
  prom = await startFakePrometheus({
    vectors: {
      "up == 0": [
        { metric: { __name__: "up", job: "api", instance: "10.0.0.7:9100" }, value: 0 },
        { metric: { __name__: "up", job: "worker", instance: "10.0.0.9:9100" }, value: 0 },
      ],
      'sum by (code) (rate(http_requests_total{job="api"}[5m]))': [
        { metric: { code: "200" }, value: 41.5 },
        { metric: { code: "500" }, value: "NaN" },
      ],
      'max(pg_up{instance="db1"})': [{ metric: {}, value: 1 }],
    },
    matrices: { "up[1m]": [{ metric: { __name__: "up", job: "api" }, values: [1, 1, 0, 0] }] },
    errors: {
      "rate(http_requests_total[5m]) / on(job) group_left kube_pod_info": {
        httpStatus: 422,
        errorType: "execution",
        error:
          'found duplicate series for the match group {job="api"} on the right hand-side of the operation',
      },
      "count(expensive_series)": {
        httpStatus: 503,
        errorType: "timeout",
        error: "query timed out in expression evaluation",
      },
    },
    warnings: { 'max(pg_up{instance="db1"})': ["PromQL info: metric might not be a counter"] },
  });
  target = { name: "metrics", url: `http://alice:pa55word@${prom.url.slice("http://".length)}/` };
});
afterAll(async () => {
  await prom.close();
});

describe("prometheus.query", () => {
  it("renders an instant vector as labels and values", async () => {
    const out = await query(target, { query: "up == 0" });
    expect(out.status).toBe("ok");
    expect(out.summary).toBe("metrics: up == 0 → 2 series");
    expect(out.table).toEqual({
      columns: ["__name__", "instance", "job", "value"],
      rows: [
        ["up", "10.0.0.7:9100", "api", 0],
        ["up", "10.0.0.9:9100", "worker", 0],
      ],
    });
  });

  it("sends the query and time as encoded parameters, with the URL's credentials as basic auth", async () => {
    const q = 'sum by (code) (rate(http_requests_total{job="api"}[5m]))';
    const out = await query(target, { query: q, time: "2026-03-01T03:00:00Z" });
    expect(out.table?.rows).toEqual([
      ["200", 41.5],
      ["500", "NaN"],
    ]);
    const last = prom.requests.at(-1);
    expect(last?.path).toBe("/api/v1/query");
    expect(last?.params.get("query")).toBe(q);
    expect(last?.params.get("time")).toBe("2026-03-01T03:00:00Z");
    expect(last?.headers.authorization).toBe(`Basic ${Buffer.from("alice:pa55word").toString("base64")}`);
    expect(JSON.stringify(out)).not.toContain("pa55word");
  });

  it("renders scalars, range selectors, and passes warnings on", async () => {
    const scalar = await query(target, { query: "42" });
    expect(scalar.summary).toBe("metrics: 42 → scalar 42");
    expect(scalar.table).toEqual({ columns: ["value"], rows: [[42]] });

    const range = await query(target, { query: "up[1m]" });
    expect(range.table).toEqual({
      columns: ["__name__", "job", "last_value", "samples"],
      rows: [["up", "api", 0, 4]],
    });

    const warned = await query(target, { query: 'max(pg_up{instance="db1"})' });
    expect(warned.status).toBe("warning");
    expect(warned.text).toBe("warning: PromQL info: metric might not be a counter");
    expect(warned.table).toEqual({ columns: ["value"], rows: [[1]] });
  });

  it("limits the rows shown and says so", async () => {
    const out = await query(target, { query: "up == 0", limit: "1" });
    expect(out.summary).toBe("metrics: up == 0 → 2 series (showing 1)");
    expect(out.table?.rows).toHaveLength(1);
  });

  it("says an unknown series matched nothing", async () => {
    const out = await query(target, { query: 'up{job="nonexistent"}' });
    expect(out.summary).toBe('metrics: up{job="nonexistent"} → 0 series');
    expect(out.table?.rows).toEqual([]);
  });

  it("translates Prometheus's own errors", async () => {
    const parse = await rejection(query(target, { query: "' OR 1=1 --" }));
    expect(parse.code).toBe("input_invalid");
    expect(parse.message).toBe(
      'Prometheus metrics rejected the query: invalid parameter "query": 1:1: parse error: unterminated quoted string',
    );
    expect(prom.requests.at(-1)?.params.get("query")).toBe("' OR 1=1 --");

    const exec = await rejection(
      query(target, { query: "rate(http_requests_total[5m]) / on(job) group_left kube_pod_info" }),
    );
    expect(exec.code).toBe("action_failed");
    expect(exec.message).toContain("could not evaluate the query: found duplicate series");

    const slow = await rejection(query(target, { query: "count(expensive_series)" }));
    expect(slow.code).toBe("timeout");
    expect(slow.message).toContain("gave up on the query (query timed out in expression evaluation)");
  });

  it("passes shell and SQL look-alikes to Prometheus only as a parameter, which rejects them", async () => {
    for (const q of ["; rm -rf /", "$(id)", "up; DROP TABLE x"]) {
      const err = await rejection(query(target, { query: q }));
      expect(err.code, q).toBe("input_invalid");
      expect(prom.requests.at(-1)?.params.get("query")).toBe(q);
    }
  });

  it("says clearly when it is not talking to Prometheus, or nothing listens", async () => {
    const notProm = http.createServer((_req, res) => res.writeHead(502).end("<html>Bad Gateway</html>"));
    await new Promise<void>((resolve) => notProm.listen(0, "127.0.0.1", resolve));
    const port = (notProm.address() as AddressInfo).port;
    try {
      const err = await rejection(
        query({ name: "metrics", url: `http://127.0.0.1:${port}` }, { query: "up" }),
      );
      expect(err.code).toBe("dependency_unavailable");
      expect(err.message).toContain("answered HTTP 502 with something that is not the Prometheus API");
    } finally {
      await new Promise((resolve) => notProm.close(resolve));
    }
    const down = await rejection(
      query({ name: "metrics", url: `http://127.0.0.1:${port}` }, { query: "up" }),
    );
    expect(down.code).toBe("dependency_unavailable");
    expect(down.message).toBe(
      "Prometheus metrics refused the connection: is it down, or is the port in its URL wrong?",
    );
  });

  it("takes a query of one line only, and a well-formed time", () => {
    for (const q of ["up\nFLUSHALL", "up\r\n", "up\u0000", "up\u2028x", "", "   ", "x".repeat(2001)]) {
      expect(prometheusQuery.argsSchema.safeParse({ query: q }).success, JSON.stringify(q)).toBe(false);
    }
    expect(prometheusQuery.argsSchema.safeParse({ query: "up", time: "yesterday" }).success).toBe(false);
    expect(prometheusQuery.argsSchema.parse({ query: "  up  " }).query).toBe("up");
    expect(prometheusQuery.argsSchema.safeParse({ query: "up", command: "x" }).success).toBe(false);
  });
});
