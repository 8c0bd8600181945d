import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertmanagerClient } from "../../src/alerts/alertmanager-api.js";
import { FirebreakError } from "../../src/core/errors.js";

interface Seen {
  method: string;
  url: string;
  authorization?: string;
  body: string;
}

const seen: Seen[] = [];
let reply: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      reply(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<FirebreakError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return err as FirebreakError;
  }
  throw new Error("expected the call to fail");
}

const json = (status: number, value: unknown) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
};

describe("talking to Alertmanager's API v2", () => {
  it("sends credentials from the URL as basic auth, under the URL's path prefix", async () => {
    seen.length = 0;
    reply = json(200, { silenceID: "abc-123" });
    const client = createAlertmanagerClient({ baseUrl: `http://am:p%40ss@127.0.0.1:${port}/alertmanager/` });
    const id = await client.createSilence({
      matchers: [{ name: "alertname", value: "MySQL.*", isRegex: true }],
      startsAt: new Date("2026-11-21T10:00:00Z"),
      endsAt: new Date("2026-11-21T11:00:00Z"),
      createdBy: "alice",
      comment: "INC-42",
    });
    expect(id).toBe("abc-123");
    expect(seen[0]).toMatchObject({
      method: "POST",
      url: "/alertmanager/api/v2/silences",
      authorization: `Basic ${Buffer.from("am:p@ss").toString("base64")}`,
    });
    expect(JSON.parse(seen[0]!.body)).toEqual({
      matchers: [{ name: "alertname", value: "MySQL.*", isRegex: true, isEqual: true }],
      startsAt: "2026-11-21T10:00:00.000Z",
      endsAt: "2026-11-21T11:00:00.000Z",
      createdBy: "alice",
      comment: "INC-42",
    });
  });

  it("says not_found for a silence Alertmanager does not know", async () => {
    reply = json(404, "silence not found");
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://127.0.0.1:${port}` }).getSilence("nope"),
    );
    expect(err.code).toBe("not_found");
    expect(err.message).toContain("silence not found");
  });

  it("passes on why Alertmanager refused a request", async () => {
    reply = json(400, "silence invalid: start time must be before end time");
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://127.0.0.1:${port}` }).createSilence({
        matchers: [],
        startsAt: new Date(1),
        endsAt: new Date(0),
        createdBy: "x",
        comment: "",
      }),
    );
    expect(err.code).toBe("input_invalid");
    expect(err.message).toContain("start time must be before end time");
  });

  it("reports a failing Alertmanager by host only, never with credentials", async () => {
    reply = (_req, res) => {
      res.writeHead(503);
      res.end("upstream down");
    };
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://am:hunter2@127.0.0.1:${port}` }).listSilences(),
    );
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toBe(`Alertmanager at 127.0.0.1:${port} answered HTTP 503 (upstream down).`);
    expect(JSON.stringify(err.details)).not.toContain("hunter2");
  });

  it("reports an answer that is not what the API promises", async () => {
    reply = json(200, [{ id: 1 }]);
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://127.0.0.1:${port}` }).listSilences(),
    );
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("unexpected response");
  });

  it("reports an Alertmanager that does not answer in time", async () => {
    reply = () => undefined;
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 50 }).status(),
    );
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toContain("no answer within 50 ms");
  });

  it("reports an Alertmanager nobody listens for", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const err = await failure(
      createAlertmanagerClient({ baseUrl: `http://u:hunter2@127.0.0.1:${freePort}` }).status(),
    );
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toBe(`Alertmanager at 127.0.0.1:${freePort} is unreachable (ECONNREFUSED).`);
  });
});
