import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { argsForRecord, slackErrorBody } from "./args.js";
import type { FaultInjector } from "./faults.js";
import type { TierLimiter } from "./rate-tiers.js";
import { parseBody, readBody, requestToken, sendJson, sendText } from "./http-io.js";
import { METHODS } from "./methods/index.js";
import { UPLOAD_PATH, acceptUpload } from "./methods/files.js";
import { applyResponseUrlPost } from "./response-url.js";
import type { WorkspaceState } from "./state.js";
import type { RecordedCall } from "./types.js";

/** The one app-level method: a Socket Mode WebSocket URL, for the `xapp-` token only. */
const APPS_CONNECTIONS_OPEN = "apps.connections.open";

/** What the HTTP routes need from the emulator. */
export interface RouteDeps {
  state: WorkspaceState;
  faults: FaultInjector;
  /** Slack's per-method tiers and per-channel message limit, applied while `policy.enforceTiers`. */
  tiers: TierLimiter;
  /** Switched at run time by the emulator: tier enforcement, and an outage's HTTP status. */
  policy: { enforceTiers: boolean; outageStatus: number | null };
  botToken: string;
  /** The app-level token: the only one app-level methods (apps.connections.open) accept. */
  appToken: string;
  /** A fresh Socket Mode WebSocket URL. */
  openSocketModeUrl(): Promise<string>;
  baseUrl: string;
  logger: Logger;
  record(call: RecordedCall): void;
}

/** Routes one request; false when the path is none of Slack's. */
export async function routeSlackRequest(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const url = new URL(req.url ?? "/", deps.baseUrl);
  const path = url.pathname;
  const outage = deps.policy.outageStatus;
  if (outage !== null && isSlackPath(path)) {
    await readBody(req);
    deps.record({ method: outageMethod(path), args: {}, at: deps.state.now(), response: "", status: outage });
    // What Slack's edge answers while it is down: a bare 5xx, no JSON envelope.
    sendText(res, outage, "Service Unavailable");
    return true;
  }
  if (path.startsWith("/api/")) {
    await handleApiCall(deps, req, res, decodeURIComponent(path.slice("/api/".length)), url.searchParams);
    return true;
  }
  if (path.startsWith(`/${UPLOAD_PATH}`) && req.method === "POST") {
    await handleUpload(deps, req, res, decodeURIComponent(path.slice(UPLOAD_PATH.length + 1)));
    return true;
  }
  if (path.startsWith("/response/") && req.method === "POST") {
    await handleResponseUrl(deps, req, res, decodeURIComponent(path.slice("/response/".length)));
    return true;
  }
  if (path.startsWith("/files/") && req.method === "GET") {
    serveFile(deps, req, res, decodeURIComponent(path.split("/")[2] ?? ""));
    return true;
  }
  return false;
}

async function handleApiCall(
  deps: RouteDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  query: URLSearchParams,
): Promise<void> {
  const parsed = parseBody(req.headers["content-type"], await readBody(req));
  const args: Record<string, unknown> = { ...Object.fromEntries(query), ...parsed.fields };
  const answer = (status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    deps.record({ method, args: argsForRecord(args), at: deps.state.now(), response: body, status });
    deps.logger.debug({ method, status, ok: body.ok, error: body.error }, "slack emulator call");
    sendJson(res, status, body, headers);
  };
  const handler = METHODS[method];
  const appLevel = method === APPS_CONNECTIONS_OPEN;
  if (!handler && !appLevel) return answer(200, { ok: false, error: "unknown_method", req_method: method });
  if (parsed.malformed) return answer(200, { ok: false, error: "invalid_json" });
  const token = requestToken(req, args);
  if (token === undefined) return answer(200, { ok: false, error: "not_authed" });
  // Slack tells a valid token of the wrong kind (bot vs app-level) from one it does not know.
  const expected = appLevel ? deps.appToken : deps.botToken;
  const other = appLevel ? deps.botToken : deps.appToken;
  if (token === other) return answer(200, { ok: false, error: "not_allowed_token_type" });
  if (token !== expected) return answer(200, { ok: false, error: "invalid_auth" });
  const fault = deps.faults.check(method);
  if (fault?.kind === "ratelimited") {
    return answer(429, { ok: false, error: "ratelimited" }, { "retry-after": String(fault.retryAfterSec) });
  }
  if (fault?.kind === "error") return answer(200, { ok: false, error: fault.error });
  if (fault?.kind === "http") return answer(fault.status, { ok: false, error: "service_unavailable" });
  const limited = deps.policy.enforceTiers ? deps.tiers.check(method, args) : undefined;
  if (limited) {
    return answer(429, { ok: false, error: "ratelimited" }, { "retry-after": String(limited.retryAfterSec) });
  }
  try {
    const result = handler
      ? handler({ state: deps.state, args, actor: deps.state.identity.botUserId, baseUrl: deps.baseUrl })
      : { url: await deps.openSocketModeUrl() };
    answer(200, { ok: true, ...result });
  } catch (err) {
    const body = slackErrorBody(err);
    if (body) return answer(200, body);
    deps.logger.error({ err, method }, "slack emulator method failed");
    answer(200, { ok: false, error: "fatal_error" });
  }
}

function isSlackPath(path: string): boolean {
  return ["/api/", `/${UPLOAD_PATH}`, "/response/", "/files/"].some((prefix) => path.startsWith(prefix));
}

/** How a request refused by an outage is recorded: the Web API method, or the kind of URL. */
function outageMethod(path: string): string {
  if (path.startsWith("/api/")) return decodeURIComponent(path.slice("/api/".length));
  if (path.startsWith("/response/")) return "response_url";
  return path.startsWith(`/${UPLOAD_PATH}`) ? "upload_url" : "file_download";
}

async function handleUpload(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, fileId: string) {
  const raw = await readBody(req);
  const contentType = req.headers["content-type"];
  const parsed = contentType?.startsWith("multipart/form-data") ? parseBody(contentType, raw) : undefined;
  const data = parsed?.files[0]?.data ?? raw;
  const accepted = acceptUpload(deps.state, fileId, data);
  const status = accepted ? 200 : 404;
  const text = accepted ? `OK - ${data.length}` : "upload_not_found";
  deps.record({
    method: "upload_url",
    args: { file_id: fileId, length: data.length },
    at: deps.state.now(),
    response: text,
    status,
  });
  sendText(res, status, text);
}

async function handleResponseUrl(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, id: string) {
  const parsed = parseBody(req.headers["content-type"] ?? "application/json", await readBody(req));
  // Slack also accepts the JSON wrapped in a `payload` form field.
  let payload = parsed.fields;
  if (typeof payload.payload === "string") {
    try {
      payload = JSON.parse(payload.payload) as Record<string, unknown>;
    } catch {
      parsed.malformed = true;
    }
  }
  const answer = parsed.malformed
    ? { status: 400, body: { ok: false, error: "invalid_payload" } }
    : applyResponseUrlPost(deps.state, deps.state.responseTargets.get(id), payload);
  deps.record({
    method: "response_url",
    args: { ...argsForRecord(payload), response_url_id: id },
    at: deps.state.now(),
    response: answer.body,
    status: answer.status,
  });
  sendJson(res, answer.status, answer.body);
}

function serveFile(deps: RouteDeps, req: IncomingMessage, res: ServerResponse, fileId: string) {
  if (requestToken(req, {}) !== deps.botToken) return sendText(res, 403, "forbidden");
  const file = deps.state.files.get(fileId);
  if (!file?.content) return sendText(res, 404, "file_not_found");
  res.writeHead(200, { "content-type": "application/octet-stream", "content-length": file.content.length });
  res.end(file.content);
}
