import { randomBytes, randomUUID } from "node:crypto";
import { writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { loadKubeFixtures, seedStore } from "./fixtures.js";
import { kubeconfigYaml } from "./kubeconfig.js";
import { present } from "./representation.js";
import type { ApiRequest, Authorizer, WatchRequest } from "./request.js";
import { storeKey } from "./resources.js";
import { PUBLIC_PATHS, route } from "./router.js";
import { KubeApiError, badRequest, internalError, unauthorized } from "./status.js";
import { KubeStore } from "./store.js";
import type { KubeObject } from "./types.js";

/** Options of {@link startKubeApiFake}. */
export interface KubeApiFakeOptions {
  /** Objects to start with: a fixtures directory, YAML files, or objects. */
  readonly fixtures?: string | readonly string[] | readonly KubeObject[];
  /** Bearer token every API request must carry; random when omitted. */
  readonly token?: string;
  /** The cluster's clock: creation times, ages in tables, event times. */
  readonly now?: () => Date;
  /**
   * Serve HTTPS with this certificate (PEM, for 127.0.0.1) instead of plain HTTP. kubectl
   * sends credentials only over TLS, so a kubectl session needs this; kubeconfigs then
   * carry the certificate as their CA.
   */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * RBAC stand-in, asked for every resource request: return false to answer 403
   * Forbidden as a real cluster would. Everything is allowed when omitted.
   */
  readonly authorize?: Authorizer;
}

/** One request the fake answered, for tests that assert what a client did (or did not) send. */
export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly url: string;
  readonly status: number;
}

/** A running fake Kubernetes API server. */
export interface KubeApiFake {
  /** `http://127.0.0.1:<port>` (`https://` with `tls`). */
  readonly url: string;
  readonly token: string;
  /** The in-memory cluster: read it to check effects, write it to set up a case. */
  readonly state: KubeStore;
  /** Every request answered so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** A kubeconfig for this server (context `contextName`, default namespace optional). */
  kubeconfigYaml(contextName?: string, namespace?: string): string;
  writeKubeconfig(path: string, contextName?: string, namespace?: string): Promise<void>;
  close(): Promise<void>;
}

const MAX_BODY = 3 * 1024 * 1024;

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new KubeApiError({
        ...badRequest("request body too large").status,
        code: 413,
        reason: "RequestEntityTooLarge",
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

/**
 * Starts a fake Kubernetes API server on 127.0.0.1 (a free port): the real REST paths,
 * discovery, server-side printing for kubectl, bearer-token auth and `Status` errors,
 * with controllers that complete rollouts at once.
 */
export async function startKubeApiFake(options: KubeApiFakeOptions = {}): Promise<KubeApiFake> {
  const token = options.token ?? `fake-${randomBytes(16).toString("hex")}`;
  const store = new KubeStore(options.now ?? (() => new Date()));
  const fixtures = options.fixtures;
  if (fixtures !== undefined) {
    const objects =
      typeof fixtures === "string" || (fixtures.length > 0 && typeof fixtures[0] === "string")
        ? loadKubeFixtures(fixtures as string | readonly string[])
        : (fixtures as readonly KubeObject[]);
    seedStore(store, objects);
  }
  const requests: RecordedRequest[] = [];
  const watches = new Set<http.ServerResponse>();

  // Recorded before answering, so that a client that has its answer also finds it in `requests`.
  const record = (req: http.IncomingMessage, status: number) =>
    requests.push({ method: req.method ?? "GET", url: req.url ?? "/", status });

  function send(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    status: number,
    body: unknown,
    contentType = "application/json",
  ) {
    record(req, status);
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, {
      "Content-Type": contentType,
      "Cache-Control": "no-cache, private",
      "Audit-Id": randomUUID(),
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  }

  function stream(req: http.IncomingMessage, res: http.ServerResponse, w: WatchRequest) {
    record(req, 200);
    res.writeHead(200, {
      "Content-Type": "application/json",
      "Cache-Control": "no-cache, private",
      "Transfer-Encoding": "chunked",
    });
    // A watch that starts with nothing to send must still answer now: clients wait for the headers.
    res.flushHeaders();
    const write = (type: string, obj: KubeObject) =>
      res.write(`${JSON.stringify({ type, object: present(w.def, obj) })}\n`);
    for (const obj of w.initial) write("ADDED", obj);
    const unsubscribe = store.subscribe((change) => {
      if (change.key !== storeKey(w.def)) return;
      if (w.namespace !== undefined && change.object.metadata.namespace !== w.namespace) return;
      if (w.filter(change.object)) write(change.type, change.object);
    });
    watches.add(res);
    const timer = w.timeoutSeconds ? setTimeout(() => res.end(), w.timeoutSeconds * 1000) : undefined;
    const done = () => {
      unsubscribe();
      clearTimeout(timer);
      watches.delete(res);
    };
    res.on("close", done);
    req.on("close", done);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    try {
      const text = await readBody(req);
      const authorized = req.headers.authorization === `Bearer ${token}`;
      if (!authorized && !PUBLIC_PATHS.has(url.pathname)) throw unauthorized();
      const apiRequest: ApiRequest = {
        method: req.method ?? "GET",
        query: url.searchParams,
        accept: req.headers.accept,
        contentType: req.headers["content-type"] ?? "",
        body: parseBody(text),
        host: req.headers.host ?? "",
        authorize: options.authorize,
      };
      let segments: string[];
      try {
        segments = url.pathname
          .split("/")
          .filter((s) => s !== "")
          .map(decodeURIComponent);
      } catch {
        throw badRequest(`malformed path: ${url.pathname}`);
      }
      const result = route(store, segments, apiRequest);
      if (result.type === "watch") stream(req, res, result.watch);
      else if (result.type === "text") send(req, res, result.status, result.body, "text/plain");
      else send(req, res, result.status, result.body, result.contentType);
    } catch (err) {
      const status = err instanceof KubeApiError ? err.status : internalError(String(err)).status;
      send(req, res, status.code, status);
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void handle(req, res);
  const tls = options.tls;
  const server = tls
    ? https.createServer({ cert: tls.cert, key: tls.key }, listener)
    : http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const kubeconfig = (contextName: string, namespace: string | undefined) =>
    kubeconfigYaml({ server: url, token, contextName, namespace, caPem: tls?.cert });

  return {
    url,
    token,
    state: store,
    requests,
    kubeconfigYaml: (contextName = "fake", namespace?: string) => kubeconfig(contextName, namespace),
    writeKubeconfig: (path, contextName = "fake", namespace?: string) =>
      writeFile(path, kubeconfig(contextName, namespace), { mode: 0o600 }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const res of watches) res.end();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
