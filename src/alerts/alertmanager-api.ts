import { z } from "zod";
import { FirebreakError } from "../core/errors.js";

/** One condition of a silence, as Alertmanager's API v2 spells it. */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false for `!=` / `!~`. Default true. */
  isEqual?: boolean;
}

/** A silence to create. */
export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  /** Who asked for it (Firebreak puts the Slack user's name here). */
  createdBy: string;
  comment: string;
}

/** A silence as Alertmanager holds it. */
export interface Silence {
  id: string;
  state: "active" | "pending" | "expired";
  matchers: Required<SilenceMatcher>[];
  startsAt: Date;
  endsAt: Date;
  updatedAt: Date;
  createdBy: string;
  comment: string;
}

/** An alert to post to Alertmanager, as Prometheus would (a test alert, or a test's). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Default: when Alertmanager receives it. */
  startsAt?: Date;
  /** In the past: resolves the alert. Default: Alertmanager's `resolve_timeout` from now. */
  endsAt?: Date;
  generatorURL?: string;
}

/** Alertmanager's own health, from `GET /api/v2/status`. */
export interface AlertmanagerStatus {
  version: string;
  /** `ready`, `settling` or `disabled` (no HA cluster). */
  cluster: string;
  uptime: Date;
}

/** Alertmanager API v2, the parts Firebreak uses. */
export interface AlertmanagerClient {
  /** Creates a silence and returns its id. */
  createSilence(silence: NewSilence): Promise<string>;
  /** Throws not_found for an unknown id. */
  getSilence(id: string): Promise<Silence>;
  listSilences(): Promise<Silence[]>;
  /** Ends a silence now. Throws not_found for an unknown id. */
  expireSilence(id: string): Promise<void>;
  postAlerts(alerts: PostableAlert[]): Promise<void>;
  status(): Promise<AlertmanagerStatus>;
}

/** How to reach Alertmanager. */
export interface AlertmanagerClientOptions {
  /**
   * Base URL, e.g. `http://alertmanager:9093` or `https://user:pass@host/alertmanager`
   * (credentials in the URL are sent as basic auth and never appear in errors).
   */
  baseUrl: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  /** Per request. Default 5 s. */
  timeoutMs?: number;
  /** Extra headers, e.g. `Authorization` for a proxy in front of Alertmanager. */
  headers?: Record<string, string>;
}

const matcherSchema = z.looseObject({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean().default(true),
});

const silenceSchema = z.looseObject({
  id: z.string(),
  status: z.looseObject({ state: z.enum(["active", "pending", "expired"]) }),
  matchers: z.array(matcherSchema),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  comment: z.string(),
});

const statusSchema = z.looseObject({
  cluster: z.looseObject({ status: z.string() }),
  versionInfo: z.looseObject({ version: z.string() }),
  uptime: z.iso.datetime({ offset: true }),
});

/** A client for Alertmanager's API v2. Failures are FirebreakErrors naming only the host. */
export function createAlertmanagerClient(options: AlertmanagerClientOptions): AlertmanagerClient {
  const http = createHttp(options);
  return {
    async createSilence(silence) {
      const body = {
        matchers: silence.matchers.map((m) => ({ ...m, isEqual: m.isEqual ?? true })),
        startsAt: silence.startsAt.toISOString(),
        endsAt: silence.endsAt.toISOString(),
        createdBy: silence.createdBy,
        comment: silence.comment,
      };
      const res = await http.request("POST", "/api/v2/silences", body);
      return http.decode(z.looseObject({ silenceID: z.string().min(1) }), res).silenceID;
    },
    async getSilence(id) {
      const res = await http.request("GET", `/api/v2/silence/${encodeURIComponent(id)}`);
      return toSilence(http.decode(silenceSchema, res));
    },
    async listSilences() {
      const res = await http.request("GET", "/api/v2/silences");
      return http.decode(z.array(silenceSchema), res).map(toSilence);
    },
    async expireSilence(id) {
      await http.request("DELETE", `/api/v2/silence/${encodeURIComponent(id)}`);
    },
    async postAlerts(alerts) {
      const body = alerts.map((a) => ({
        labels: a.labels,
        annotations: a.annotations ?? {},
        ...(a.startsAt ? { startsAt: a.startsAt.toISOString() } : {}),
        ...(a.endsAt ? { endsAt: a.endsAt.toISOString() } : {}),
        ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
      }));
      await http.request("POST", "/api/v2/alerts", body);
    },
    async status() {
      const s = http.decode(statusSchema, await http.request("GET", "/api/v2/status"));
      return { version: s.versionInfo.version, cluster: s.cluster.status, uptime: new Date(s.uptime) };
    },
  };
}

function toSilence(s: z.output<typeof silenceSchema>): Silence {
  return {
    id: s.id,
    state: s.status.state,
    matchers: s.matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, isEqual })),
    startsAt: new Date(s.startsAt),
    endsAt: new Date(s.endsAt),
    updatedAt: new Date(s.updatedAt),
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

interface Http {
  request(method: string, path: string, body?: unknown): Promise<{ path: string; text: string }>;
  decode<T extends z.ZodType>(schema: T, res: { path: string; text: string }): z.output<T>;
}

function createHttp(options: AlertmanagerClientOptions): Http {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch (err) {
    throw new FirebreakError(
      "config_invalid",
      "ALERTMANAGER_URL is not a URL: use a form like http://alertmanager:9093",
      {
        cause: err,
      },
    );
  }
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (base.username || base.password) {
    const user = decodeURIComponent(base.username);
    const pass = decodeURIComponent(base.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
    base.username = "";
    base.password = "";
  }
  const host = base.host;
  const prefix = base.pathname.replace(/\/+$/, "");
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;

  const fail = (
    code: "dependency_unavailable" | "not_found" | "input_invalid",
    message: string,
    extra: object,
    cause?: unknown,
  ) =>
    new FirebreakError(code, message, {
      ...(cause === undefined ? {} : { cause }),
      details: { host, ...extra },
    });

  return {
    async request(method, path, body) {
      const url = new URL(base);
      url.pathname = `${prefix}${path}`;
      let res: Response;
      let text: string;
      try {
        res = await doFetch(url, {
          method,
          headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const why =
          err instanceof Error && err.name === "TimeoutError"
            ? `no answer within ${timeoutMs} ms`
            : networkReason(err);
        throw fail(
          "dependency_unavailable",
          `Alertmanager at ${host} is unreachable (${why}).`,
          { path },
          err,
        );
      }
      if (res.ok) return { path, text };
      const said = errorText(text);
      const details = { path, status: res.status };
      if (res.status === 404 && path.startsWith("/api/v2/silence/")) {
        throw fail(
          "not_found",
          `Alertmanager at ${host} has no such silence${said ? ` (${said})` : ""}.`,
          details,
        );
      }
      if (res.status === 400 || res.status === 422) {
        throw fail(
          "input_invalid",
          `Alertmanager at ${host} refused the request: ${said || `HTTP ${res.status}`}.`,
          details,
        );
      }
      throw fail(
        "dependency_unavailable",
        `Alertmanager at ${host} answered HTTP ${res.status}${said ? ` (${said})` : ""}.`,
        details,
      );
    },
    decode(schema, res) {
      let json: unknown;
      try {
        json = res.text === "" ? undefined : JSON.parse(res.text);
      } catch (err) {
        throw fail(
          "dependency_unavailable",
          `Alertmanager at ${host} sent a response that is not JSON.`,
          { path: res.path },
          err,
        );
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        throw fail(
          "dependency_unavailable",
          `Alertmanager at ${host} sent an unexpected response.`,
          { path: res.path },
          parsed.error,
        );
      }
      return parsed.data;
    },
  };
}

// Alertmanager answers errors with a JSON string, or plain text from a proxy in front of it.
function errorText(text: string): string {
  let said = text.trim();
  try {
    const json: unknown = JSON.parse(said);
    if (typeof json === "string") said = json;
    else if (json && typeof json === "object" && "message" in json && typeof json.message === "string")
      said = json.message;
  } catch {
    // not JSON: keep the text
  }
  said = said.replace(/\s+/g, " ").trim();
  return said.length > 300 ? `${said.slice(0, 299)}…` : said;
}

function networkReason(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === "string") return cause.code;
  return err instanceof Error ? err.message : "network error";
}
