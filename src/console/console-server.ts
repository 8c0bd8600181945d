import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";
import type { Logger } from "pino";
import { FirebreakError } from "../core/errors.js";
import type { SlackEmulator } from "../emulator/slack/emulator.js";
import type { SubmittedValues } from "../emulator/slack/index.js";
import type { ActionResult, ConsoleTarget } from "./console-actions.js";
import {
  clickButton,
  closeView,
  fireTestAlert,
  selectOption,
  sendComposerText,
  submitView,
} from "./console-actions.js";
import type { DeliveryView } from "../web/delivery-views.js";
import { renderConsolePage, renderPagesPanel, renderPanels } from "./console-view.js";
import type { ConsoleSelection } from "./console-view.js";

/** The local-mode web console, served on the emulator's port (its `fallback`). */
export interface ConsoleServer {
  /** Answers `/` and `/console/…`; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Points the console's actions at a listening Firebreak. */
  connect(target: ConsoleTarget): void;
  /** Ends the live-update streams. */
  close(): void;
}

const ASSETS = ["console.js", "console.css"] as const;
const MAX_BODY = 1024 * 1024;
const DEFAULT_USER = "U0ALICE";

// Running from src/ (tests) the assets sit next to this file; from dist/ they stay in src/.
function assetDir(): string {
  const here = path.join(import.meta.dirname, "assets");
  return existsSync(here) ? here : path.resolve(import.meta.dirname, "../../src/console/assets");
}

export function createConsoleServer(opts: {
  emulator: SlackEmulator;
  logger: Logger;
  now?: () => Date;
}): ConsoleServer {
  const { emulator } = opts;
  const now = opts.now ?? (() => new Date());
  const dir = assetDir();
  const assets = new Map(ASSETS.map((name) => [name, readFileSync(path.join(dir, name))]));
  let target: ConsoleTarget | null = null;
  const streams = new Set<ServerResponse>();
  const alertStarts = new Map<string, Date>();
  let pending: NodeJS.Timeout | null = null;

  // One listener fans out to every open page; bursts (a declaration is a dozen calls) become one refresh.
  const changed = () => {
    if (pending || !streams.size) return;
    pending = setTimeout(() => {
      pending = null;
      for (const s of streams) s.write("event: change\ndata: {}\n\n");
    }, 100);
  };
  emulator.on("message", changed);
  emulator.on("view", changed);
  emulator.on("call", changed);
  const heartbeat = setInterval(() => {
    for (const s of streams) s.write(": keep-alive\n\n");
  }, 20_000);
  heartbeat.unref();

  const selection = (url: URL): ConsoleSelection => {
    const as = url.searchParams.get("as") ?? DEFAULT_USER;
    const user = emulator.state.users.get(as);
    const userId = user && !user.is_bot ? as : DEFAULT_USER;
    const fallback = emulator.channelByName("incidents")?.id ?? emulator.channels()[0]?.id ?? "";
    return { userId, channelId: url.searchParams.get("channel") ?? fallback };
  };

  const requireTarget = (): ConsoleTarget => {
    if (!target)
      throw new FirebreakError(
        "dependency_unavailable",
        "Firebreak is still starting; try again in a moment.",
      );
    return target;
  };

  /** The deliveries of the latest pages, read from Firebreak's incident pages (loopback). */
  async function pagesPanel(): Promise<string> {
    if (!target) return renderPagesPanel(null, "Firebreak is still starting…");
    try {
      const res = await fetch(`${target.firebreakUrl}/incidents/pages.json`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (!res.ok) return renderPagesPanel(null, `Firebreak answered ${res.status}.`);
      return renderPagesPanel(((await res.json()) as { deliveries: DeliveryView[] }).deliveries);
    } catch {
      return renderPagesPanel(null, "Firebreak is not answering.");
    }
  }

  async function act(body: Record<string, unknown>, action: string): Promise<ActionResult> {
    const userId = field(body, "as");
    if (!emulator.state.users.get(userId) || emulator.state.users.get(userId)?.is_bot)
      throw new FirebreakError("input_invalid", `No user ${userId} in the emulated workspace.`);
    const t = requireTarget();
    switch (action) {
      case "send":
        return sendComposerText(emulator, t, {
          userId,
          channelId: field(body, "channel"),
          text: field(body, "text"),
        });
      case "click":
        return clickButton(t, {
          userId,
          channelId: field(body, "channel"),
          messageTs: field(body, "ts"),
          actionId: field(body, "actionId"),
          ...optional(body, "blockId"),
          ...optional(body, "value"),
        });
      case "select":
        return selectOption(t, {
          userId,
          channelId: field(body, "channel"),
          messageTs: field(body, "ts"),
          actionId: field(body, "actionId"),
          ...optional(body, "blockId"),
          selectedValue: field(body, "value"),
        });
      case "view-submit":
        return submitView(t, { userId, viewId: field(body, "viewId"), values: submittedValues(body.values) });
      case "view-close":
        return closeView(t, { userId, viewId: field(body, "viewId") });
      case "alert": {
        const alertname = field(body, "alertname");
        const status = field(body, "status") === "resolved" ? "resolved" : "firing";
        const at = now();
        const startsAt = alertStarts.get(alertname) ?? at;
        if (status === "firing") alertStarts.set(alertname, startsAt);
        else alertStarts.delete(alertname);
        return fireTestAlert(t, { alertname, severity: field(body, "severity"), status, now: at, startsAt });
      }
      default:
        throw new FirebreakError("not_found", `No console action ${action}.`);
    }
  }

  return {
    connect(t) {
      target = t;
      changed();
    },
    close() {
      clearInterval(heartbeat);
      if (pending) clearTimeout(pending);
      emulator.off("message", changed);
      emulator.off("view", changed);
      emulator.off("call", changed);
      for (const s of streams) s.end();
      streams.clear();
    },
    async handle(req, res) {
      const url = new URL(req.url ?? "/", "http://console.local");
      const p = url.pathname;
      if (p !== "/" && !p.startsWith("/console/")) return false;
      if (!loopbackHost(req.headers.host)) {
        send(res, 403, "text/plain", "The console answers on loopback only.");
        return true;
      }
      if (req.method === "GET" && p === "/") {
        const links = {
          incidentsUrl: target ? `${target.firebreakUrl}/incidents` : null,
          ready: target !== null,
        };
        send(res, 200, "text/html", renderConsolePage(emulator, selection(url), links));
        return true;
      }
      if (req.method === "GET" && p === "/console/panels") {
        const panels = { ...renderPanels(emulator, selection(url)), pages: await pagesPanel() };
        send(res, 200, "application/json", JSON.stringify(panels));
        return true;
      }
      if (req.method === "GET" && p === "/console/events") {
        res.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write("retry: 1000\n\n");
        streams.add(res);
        req.on("close", () => streams.delete(res));
        return true;
      }
      const asset = ASSETS.find((a) => p === `/console/${a}`);
      if (req.method === "GET" && asset) {
        send(res, 200, asset.endsWith(".js") ? "text/javascript" : "text/css", assets.get(asset)!);
        return true;
      }
      if (req.method === "POST" && p.startsWith("/console/api/")) {
        // A JSON content type forces a CORS preflight, which the console never answers: no cross-site posts.
        if (!String(req.headers["content-type"]).startsWith("application/json")) {
          send(res, 415, "application/json", JSON.stringify({ ok: false, note: "Send JSON." }));
          return true;
        }
        let result: ActionResult;
        let status = 200;
        try {
          result = await act(await readJson(req), p.slice("/console/api/".length));
        } catch (err) {
          const known = err instanceof FirebreakError;
          if (!known) opts.logger.error({ err }, "console action failed");
          status = known ? 200 : 500;
          result = { ok: false, note: known ? err.message : `Unexpected error: ${(err as Error).message}` };
        }
        send(res, status, "application/json", JSON.stringify(result));
        return true;
      }
      send(res, 404, "text/plain", "Not found.");
      return true;
    },
  };
}

function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return name === "localhost" || name === "::1" || /^127\.\d+\.\d+\.\d+$/.test(name);
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    "content-type": `${type}; charset=utf-8`,
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
    ...(type === "text/html"
      ? {
          "content-security-policy":
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
        }
      : {}),
  });
  res.end(body);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new FirebreakError("input_invalid", "The request is too large.");
    chunks.push(chunk);
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // Falls through to the error below.
  }
  throw new FirebreakError("input_invalid", "The request body is not a JSON object.");
}

function field(body: Record<string, unknown>, name: string): string {
  const v = body[name];
  if (typeof v !== "string") throw new FirebreakError("input_invalid", `Missing ${name}.`);
  return v;
}

function optional(body: Record<string, unknown>, name: string): Record<string, string> {
  const v = body[name];
  return typeof v === "string" && v !== "" ? { [name]: v } : {};
}

function submittedValues(raw: unknown): SubmittedValues {
  const out: SubmittedValues = {};
  if (typeof raw !== "object" || raw === null) return out;
  for (const [blockId, actions] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof actions !== "object" || actions === null) continue;
    for (const [actionId, value] of Object.entries(actions as Record<string, unknown>)) {
      const v =
        typeof value === "string" || value === null
          ? value
          : Array.isArray(value)
            ? value.map(String)
            : typeof value === "number"
              ? value
              : null;
      (out[blockId] ??= {})[actionId] = v === "" ? null : v;
    }
  }
  return out;
}
