import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

/** An action button of a published message, as ntfy stores it. */
export interface NtfyAction {
  id: string;
  action: "view" | "http" | "broadcast" | "copy";
  label: string;
  clear: boolean;
  url?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A published message as ntfy answers and serves it. */
export interface NtfyMessage {
  id: string;
  time: number;
  expires: number;
  event: "message";
  topic: string;
  title?: string;
  message: string;
  priority?: number;
  tags?: string[];
  click?: string;
  actions?: NtfyAction[];
}

/** Options of {@link startNtfyFake}. */
export interface NtfyFakeOptions {
  /** Access tokens (`tk_…`) that may publish and read; with any, anonymous requests are refused. */
  tokens?: string[];
  now?: () => Date;
}

/** One publish or poll the fake answered. */
export interface RecordedNtfyRequest {
  method: string;
  path: string;
  status: number;
  authorization?: string;
  /** When the request arrived. */
  at: Date;
}

/** A running ntfy-compatible server (publish API, polling, access tokens). */
export interface NtfyFake {
  /** For NTFY_URL. */
  readonly url: string;
  readonly messages: NtfyMessage[];
  readonly requests: RecordedNtfyRequest[];
  /** The next `times` publishes are refused with 429 (limit reached). */
  failNext(times?: number): void;
  /** While down, every connection is dropped before an answer. */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** ntfy's error bodies (server/errors.go). */
const ERRORS = {
  unauthorized: [40101, 401, "unauthorized", "https://ntfy.sh/docs/publish/#authentication"],
  forbidden: [40301, 403, "forbidden", "https://ntfy.sh/docs/publish/#authentication"],
  priority: [40007, 400, "invalid priority parameter", "https://ntfy.sh/docs/publish/#message-priority"],
  topic: [40009, 400, "invalid request: topic invalid", ""],
  json: [
    40017,
    400,
    "invalid request: request body must be message JSON",
    "https://ntfy.sh/docs/publish/#publish-as-json",
  ],
  actions: [40018, 400, "invalid request: actions invalid", "https://ntfy.sh/docs/publish/#action-buttons"],
  notFound: [40401, 404, "page not found", ""],
  tooMany: [
    42901,
    429,
    "limit reached: too many requests, please be nice",
    "https://ntfy.sh/docs/publish/#limitations",
  ],
  tooLarge: [41303, 413, "JSON body too large", ""],
} as const;

class NtfyError extends Error {
  constructor(readonly kind: keyof typeof ERRORS) {
    super(ERRORS[kind][2]);
  }
  get http(): number {
    return ERRORS[this.kind][1];
  }
  body(): Record<string, unknown> {
    const [code, httpCode, error, link] = ERRORS[this.kind];
    return { code, http: httpCode, error, ...(link ? { link } : {}) };
  }
}

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
const PRIORITY_NAMES: Record<string, number> = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 };

function readPriority(v: unknown): number | undefined {
  if (v === undefined || v === null || v === "" || v === 0) return undefined;
  if (typeof v !== "number" && typeof v !== "string") throw new NtfyError("priority");
  const n = typeof v === "number" ? v : (PRIORITY_NAMES[v.toLowerCase()] ?? Number(v));
  if (!Number.isInteger(n) || n < 1 || n > 5) throw new NtfyError("priority");
  return n;
}

function readActions(v: unknown): NtfyAction[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.length > 3) throw new NtfyError("actions");
  return v.map((raw: unknown) => {
    const a = raw as Record<string, unknown>;
    const action = a.action;
    if (action !== "view" && action !== "http" && action !== "broadcast" && action !== "copy")
      throw new NtfyError("actions");
    if (typeof a.label !== "string" || !a.label) throw new NtfyError("actions");
    if ((action === "view" || action === "http") && typeof a.url !== "string") throw new NtfyError("actions");
    return {
      id: randomBytes(5).toString("hex"),
      action,
      label: a.label,
      clear: a.clear === true,
      ...(typeof a.url === "string" ? { url: a.url } : {}),
      ...(action === "http"
        ? { method: typeof a.method === "string" ? a.method.toUpperCase() : "POST" }
        : {}),
      ...(a.headers && typeof a.headers === "object" ? { headers: a.headers as Record<string, string> } : {}),
      ...(typeof a.body === "string" ? { body: a.body } : {}),
    };
  });
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) throw new NtfyError("tooLarge");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

const header = (req: http.IncomingMessage, ...names: string[]) => {
  for (const n of names) {
    const v = req.headers[n.toLowerCase()];
    if (typeof v === "string" && v) return v;
  }
  return undefined;
};

/** Starts the fake on a free loopback port. */
export async function startNtfyFake(o: NtfyFakeOptions = {}): Promise<NtfyFake> {
  const now = o.now ?? (() => new Date());
  const tokens = new Set(o.tokens ?? []);
  const messages: NtfyMessage[] = [];
  const requests: RecordedNtfyRequest[] = [];
  let refusals = 0;
  let down = false;

  const checkAuth = (req: http.IncomingMessage) => {
    const auth = req.headers.authorization;
    if (auth) {
      const bearer = /^Bearer (\S+)$/.exec(auth)?.[1];
      if (!bearer || !tokens.has(bearer)) throw new NtfyError("unauthorized");
      return;
    }
    if (tokens.size > 0) throw new NtfyError("forbidden");
  };

  const publish = (fields: Record<string, unknown>): NtfyMessage => {
    const topic = fields.topic;
    if (typeof topic !== "string" || !TOPIC.test(topic)) throw new NtfyError("topic");
    if (refusals > 0) {
      refusals -= 1;
      throw new NtfyError("tooMany");
    }
    const priority = readPriority(fields.priority);
    const actions = readActions(fields.actions);
    const time = Math.floor(now().getTime() / 1000);
    const text = typeof fields.message === "string" && fields.message ? fields.message : "triggered";
    const m: NtfyMessage = {
      id: randomBytes(6).toString("base64url").replace(/[-_]/g, "x"),
      time,
      expires: time + 12 * 3600,
      event: "message",
      topic,
      ...(typeof fields.title === "string" && fields.title ? { title: fields.title } : {}),
      message: text,
      ...(priority ? { priority } : {}),
      ...(Array.isArray(fields.tags) && fields.tags.length ? { tags: fields.tags.map(String) } : {}),
      ...(typeof fields.click === "string" && fields.click ? { click: fields.click } : {}),
      ...(actions?.length ? { actions } : {}),
    };
    messages.push(m);
    return m;
  };

  const handle = async (req: http.IncomingMessage, url: URL): Promise<[number, string]> => {
    checkAuth(req);
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if ((method === "POST" || method === "PUT") && path === "/") {
      const text = await readBody(req);
      let fields: Record<string, unknown>;
      try {
        fields = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new NtfyError("json");
      }
      if (typeof fields !== "object" || fields === null || Array.isArray(fields)) throw new NtfyError("json");
      return [200, JSON.stringify(publish(fields))];
    }
    const topicPath = /^\/([^/]+)$/.exec(path);
    if ((method === "POST" || method === "PUT") && topicPath) {
      const body = await readBody(req);
      const actionsHeader = header(req, "X-Actions", "Actions", "Action");
      let actions: unknown;
      try {
        actions = actionsHeader ? (JSON.parse(actionsHeader) as unknown) : undefined;
      } catch {
        throw new NtfyError("actions");
      }
      const tags = header(req, "X-Tags", "Tags", "Tag", "ta");
      return [
        200,
        JSON.stringify(
          publish({
            topic: decodeURIComponent(topicPath[1]!),
            message: body,
            title: header(req, "X-Title", "Title", "t"),
            priority: header(req, "X-Priority", "Priority", "prio", "p"),
            tags: tags ? tags.split(",").map((t) => t.trim()) : undefined,
            click: header(req, "X-Click", "Click"),
            actions,
          }),
        ),
      ];
    }
    const poll = /^\/([^/]+)\/json$/.exec(path);
    if (method === "GET" && poll) {
      const topic = decodeURIComponent(poll[1]!);
      if (!TOPIC.test(topic)) throw new NtfyError("topic");
      const since = url.searchParams.get("since");
      let list = messages.filter((m) => m.topic === topic);
      if (since && since !== "all") {
        const at = list.findIndex((m) => m.id === since);
        list =
          at >= 0
            ? list.slice(at + 1)
            : /^\d+$/.test(since)
              ? list.filter((m) => m.time >= Number(since))
              : list;
      }
      return [200, list.map((m) => JSON.stringify(m)).join("\n") + (list.length ? "\n" : "")];
    }
    throw new NtfyError("notFound");
  };

  const server = http.createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const url = new URL(req.url ?? "/", "http://localhost");
    const auth = req.headers.authorization;
    const at = now();
    handle(req, url).then(
      ([status, body]) => {
        requests.push({
          method: req.method ?? "GET",
          path: url.pathname,
          status,
          at,
          ...(auth ? { authorization: auth } : {}),
        });
        res.writeHead(status, {
          "content-type": url.pathname.endsWith("/json")
            ? "application/x-ndjson; charset=utf-8"
            : "application/json",
        });
        res.end(body);
      },
      (err: unknown) => {
        const e = err instanceof NtfyError ? err : null;
        const status = e?.http ?? 500;
        requests.push({
          method: req.method ?? "GET",
          path: url.pathname,
          status,
          at,
          ...(auth ? { authorization: auth } : {}),
        });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(
          `${JSON.stringify(e?.body() ?? { code: 50001, http: 500, error: "internal server error" })}\n`,
        );
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    requests,
    failNext(times = 1) {
      refusals += times;
    },
    setDown(value) {
      down = value;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
