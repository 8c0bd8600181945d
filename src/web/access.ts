import { createHash, timingSafeEqual } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

/** Who may read the incident pages: loopback only, or anyone with these credentials. */
export interface WebAccessOptions {
  credentials?: { user: string; password: string };
  /** Whether the request came from this machine; by default its socket's remote address. */
  isLocal?: (req: Request) => boolean;
}

/** What to answer a request for a page. */
export type AccessDecision = "allow" | "unauthorized" | "forbidden";

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

/** True for 127.0.0.0/8 and ::1 (also IPv4-mapped). Proxy headers are not trusted. */
export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK.test(address);
}

/**
 * Decides access. Without configured credentials only loopback clients are served (403
 * for others: the pages show incident details). With credentials, every client must
 * present them (401 asks), loopback included: a proxy in the same pod (a service-mesh
 * sidecar) connects from loopback, so loopback alone proves nothing once the pages are
 * meant to be reachable.
 */
export function decideAccess(input: {
  local: boolean;
  authorization: string | undefined;
  credentials: { user: string; password: string } | undefined;
}): AccessDecision {
  return decideReader(input).decision;
}

/** The decision, and who the reader is when allowed: the signed-in user, or "local". */
export function decideReader(input: {
  local: boolean;
  authorization: string | undefined;
  credentials: { user: string; password: string } | undefined;
}): { decision: AccessDecision; reader?: string } {
  if (!input.credentials)
    return input.local ? { decision: "allow", reader: "local" } : { decision: "forbidden" };
  const presented = parseBasic(input.authorization);
  if (!presented) return { decision: "unauthorized" };
  const userOk = same(presented.user, input.credentials.user);
  const passwordOk = same(presented.password, input.credentials.password);
  return userOk && passwordOk ? { decision: "allow", reader: presented.user } : { decision: "unauthorized" };
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header ?? "");
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

// Digests first, so that neither content nor length leaks through timing.
function same(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}

/** Express middleware enforcing `decideAccess`; sets `res.locals.webReader` (the user, or "local"). */
export function requireWebAccess(opts: WebAccessOptions) {
  const isLocal = opts.isLocal ?? ((req: Request) => isLoopbackAddress(req.socket.remoteAddress));
  return (req: Request, res: Response, next: NextFunction): void => {
    const { decision, reader } = decideReader({
      local: isLocal(req),
      authorization: req.headers.authorization,
      credentials: opts.credentials,
    });
    if (decision === "allow") {
      res.locals.webReader = reader;
      return next();
    }
    if (decision === "unauthorized") {
      res.setHeader("WWW-Authenticate", 'Basic realm="Firebreak incidents", charset="UTF-8"');
      res.status(401).type("text/plain").send("Sign in with the FIREBREAK_WEB_USER credentials.\n");
      return;
    }
    res
      .status(403)
      .type("text/plain")
      .send(
        "Incident pages answer loopback only. Set FIREBREAK_WEB_USER and FIREBREAK_WEB_PASSWORD to serve them elsewhere.\n",
      );
  };
}
