import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  httpCheck,
  netDns,
  netTcp,
  parseHostEntry,
  translateNetError,
} from "../../src/actions/http/index.js";
import type { HttpTarget } from "../../src/actions/http/index.js";
import type { ActionDefinition, Table } from "../../src/actions/types.js";
import { actionContext as ctx, rejection, runAction } from "../support/actions.js";

const run = <A>(action: ActionDefinition<A, HttpTarget>, t: HttpTarget, args: unknown) =>
  runAction(action, t, args);

function phases(table: Table | undefined): Map<string, number | null> {
  return new Map(table?.rows.map((r) => [String(r[0]), r[1] as number | null]));
}

const DELAY_MS = 60;
const hanging: http.ServerResponse[] = [];
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (req.url?.split("?")[0]) {
    case "/healthz":
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    case "/teapot":
      res.writeHead(418).end("short and stout");
      return;
    case "/slow-headers":
      setTimeout(() => res.writeHead(200).end("late"), DELAY_MS);
      return;
    case "/slow-body":
      res.writeHead(200);
      res.write("first half ");
      setTimeout(() => res.end("second half"), DELAY_MS);
      return;
    case "/hang":
      hanging.push(res);
      return;
    default:
      res.writeHead(404).end();
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );
}
function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

let plain: http.Server;
let port: number;
let secure: https.Server;
let securePort: number;
let certDir: string;
let ca: string;
let web: HttpTarget;

beforeAll(async () => {
  plain = http.createServer(handler);
  port = await listen(plain);
  web = {
    name: "web",
    url: `http://localhost:${port}/healthz`,
    hosts: ["localhost", "127.0.0.1:1"],
    timeoutMs: 5_000,
  };

  certDir = mkdtempSync(path.join(tmpdir(), "fbt-actions-http-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      path.join(certDir, "key.pem"),
      "-out",
      path.join(certDir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  ca = readFileSync(path.join(certDir, "cert.pem"), "utf8");
  secure = https.createServer({ key: readFileSync(path.join(certDir, "key.pem")), cert: ca }, handler);
  securePort = await listen(secure);
});
afterAll(async () => {
  for (const res of hanging) res.destroy();
  await close(plain);
  await close(secure);
  rmSync(certDir, { recursive: true, force: true });
});

describe("http.check", () => {
  it("reports the status and each phase's time, in order", async () => {
    const out = await run(httpCheck, web, {});
    expect(out.status).toBe("ok");
    expect(out.summary).toMatch(
      new RegExp(`^web: GET http://localhost:${port}/healthz → 200 OK in [\\d.]+ ms$`),
    );
    expect(out.table?.columns).toEqual(["phase", "at_ms", "took_ms"]);
    const at = phases(out.table);
    expect([...at.keys()]).toEqual(["dns", "connect", "tls", "first_byte", "total"]);
    expect(at.get("tls")).toBeNull();
    const dns = at.get("dns") ?? Number.NaN;
    const connect = at.get("connect") ?? Number.NaN;
    const firstByte = at.get("first_byte") ?? Number.NaN;
    const total = at.get("total") ?? Number.NaN;
    expect(dns).toBeGreaterThan(0);
    expect(connect).toBeGreaterThanOrEqual(dns);
    expect(firstByte).toBeGreaterThanOrEqual(connect);
    expect(total).toBeGreaterThanOrEqual(firstByte);
    expect(out.text).toContain("content-type: text/plain");
    expect(out.text).toContain("body: 2 bytes");
  });

  it("measures when the server really answered: headers held back show in first byte, a slow body in total", async () => {
    const headers = phases((await run(httpCheck, web, { path: "/slow-headers" })).table);
    expect((headers.get("first_byte") ?? 0) - (headers.get("connect") ?? 0)).toBeGreaterThanOrEqual(
      DELAY_MS - 10,
    );
    const body = phases((await run(httpCheck, web, { path: "/slow-body" })).table);
    expect((body.get("total") ?? 0) - (body.get("first_byte") ?? 0)).toBeGreaterThanOrEqual(DELAY_MS - 10);
  });

  it("times the TLS handshake over https, trusting the target's CA", async () => {
    const tls: HttpTarget = { name: "secure-web", url: `https://localhost:${securePort}/healthz`, ca };
    const out = await run(httpCheck, tls, {});
    expect(out.status).toBe("ok");
    const at = phases(out.table);
    const order = ["dns", "connect", "tls", "first_byte", "total"].map((p) => at.get(p) ?? Number.NaN);
    expect(order.every((v) => v > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(out.text).toMatch(/tls: TLSv1\.[23], certificate localhost valid until /);
  });

  it("says the certificate is not trusted when the CA is unknown", async () => {
    const tls: HttpTarget = { name: "secure-web", url: `https://localhost:${securePort}/healthz` };
    const err = await rejection(run(httpCheck, tls, {}));
    expect(err.code).toBe("action_failed");
    expect(err.message).toContain(
      `secure-web: TLS: the certificate of localhost:${securePort} is not trusted`,
    );
  });

  it("marks an unexpected status as an error", async () => {
    const out = await run(httpCheck, web, { path: "/teapot" });
    expect(out.status).toBe("error");
    expect(out.summary).toContain("→ 418 I'm a Teapot in");
    expect(out.summary).toContain("(expected 2xx or 3xx)");
    expect((await run(httpCheck, web, { path: "/teapot", expectStatus: "418" })).status).toBe("ok");
    const wrong = await run(httpCheck, web, { expectStatus: "201,204" });
    expect(wrong.status).toBe("error");
    expect(wrong.summary).toContain("(expected 201 or 204)");
  });

  it("says clearly when the connection is refused", async () => {
    const spare = http.createServer();
    const sparePort = await listen(spare);
    await close(spare);
    const down: HttpTarget = { name: "web", url: `http://127.0.0.1:${sparePort}/` };
    const err = await rejection(run(httpCheck, down, {}));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toBe(
      `web: connection refused by 127.0.0.1:${sparePort}: nothing is listening there (service down, or wrong port).`,
    );
  });

  it("gives up at the target's timeout, saying what it was waiting for", async () => {
    const slow: HttpTarget = { ...web, timeoutMs: 200 };
    const err = await rejection(run(httpCheck, slow, { path: "/hang" }));
    expect(err.code).toBe("timeout");
    expect(err.message).toBe(
      `web: no answer from localhost:${port} within 200 ms (still waiting for the response headers).`,
    );
  });

  it("stops when the run is cancelled, saying what it was waiting for", async () => {
    const controller = new AbortController();
    const before = hanging.length;
    const pending = httpCheck.run(
      { ...ctx(web), signal: controller.signal },
      httpCheck.argsSchema.parse({ path: "/hang" }),
    );
    for (let i = 0; i < 200 && hanging.length === before; i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort();
    const err = await rejection(pending);
    expect(err.code).toBe("timeout");
    expect(err.message).toBe("web: the check was stopped while waiting for the response headers.");
  });

  it("never shows the URL's credentials or query", async () => {
    const secret: HttpTarget = {
      name: "web",
      url: `http://ops:hunter2@localhost:${port}/healthz?token=abc123`,
    };
    const out = await run(httpCheck, secret, {});
    expect(out.summary).toContain(`http://localhost:${port}/healthz`);
    expect(JSON.stringify(out)).not.toMatch(/hunter2|abc123|ops:/);
  });

  it("keeps paths on the target's origin", () => {
    for (const p of [
      "//evil.example/x",
      "/../etc/passwd",
      "/a/../../b",
      "http://evil.example/",
      "healthz",
      "/a b",
    ]) {
      expect(httpCheck.argsSchema.safeParse({ path: p }).success, p).toBe(false);
    }
    expect(httpCheck.argsSchema.safeParse({ path: "/api/v1/health?verbose=1" }).success).toBe(true);
  });
});

describe("net.dns", () => {
  it("resolves the target's hosts with the system resolver", async () => {
    const out = await run(netDns, web, {});
    expect(out.status).toBe("ok");
    expect(out.table?.rows).toContainEqual(["localhost", "A", "127.0.0.1", expect.any(Number), null]);
    expect(out.table?.rows).toContainEqual(["127.0.0.1", "A", "127.0.0.1", expect.any(Number), null]);
    expect(out.summary).toBe("web: 2 of 2 hosts resolved");
  });

  it("refuses a host the target does not list", async () => {
    const err = await rejection(run(netDns, web, { host: "example.com" }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("example.com is not among the hosts of target web");
  });

  it("explains a name that does not resolve", () => {
    const err = translateNetError(
      Object.assign(new Error("getaddrinfo ENOTFOUND db.internal"), { code: "ENOTFOUND" }),
      "web",
      "db.internal",
    );
    expect(err.message).toBe("web: DNS: db.internal does not resolve (no such name).");
  });
});

describe("net.tcp", () => {
  it("connects to an allowed host and port and times it", async () => {
    const out = await run(netTcp, web, { host: "localhost", port: String(port) });
    expect(out.summary).toMatch(
      new RegExp(`^web: localhost:${port} \\(127\\.0\\.0\\.1\\) accepted a TCP connection in [\\d.]+ ms$`),
    );
    const at = phases(out.table);
    expect(at.get("dns")).toBeGreaterThan(0);
    expect(at.get("connect")).toBeGreaterThanOrEqual(at.get("dns") ?? Number.POSITIVE_INFINITY);
  });

  it("says clearly when the port refuses", async () => {
    const err = await rejection(run(netTcp, web, { host: "127.0.0.1", port: 1 }));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("connection refused by 127.0.0.1:1");
  });

  it("refuses hosts and ports the target does not list", async () => {
    expect((await rejection(run(netTcp, web, { host: "127.0.0.1", port: 22 }))).code).toBe("forbidden");
    expect((await rejection(run(netTcp, web, { host: "10.0.0.1", port: 5432 }))).code).toBe("forbidden");
  });
});

describe("host entries", () => {
  it("reads host, host:port and IPv6 forms", () => {
    expect(parseHostEntry("DB.internal")).toEqual({ host: "db.internal" });
    expect(parseHostEntry("db.internal:5432")).toEqual({ host: "db.internal", port: 5432 });
    expect(parseHostEntry("[::1]:8080")).toEqual({ host: "::1", port: 8080 });
    expect(parseHostEntry("fe80::1")).toEqual({ host: "fe80::1" });
  });
});
