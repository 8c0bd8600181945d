import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Checks the `Authorization` header Alertmanager sends with a webhook. Accepts
 * `Bearer <token>` (alertmanager.yml `http_config.authorization`) and
 * `Basic base64(<any user>:<token>)` (`http_config.basic_auth`, the password being the
 * token). An empty configured token accepts nothing.
 *
 * The comparison is constant-time over SHA-256 digests, so neither the token's content
 * nor its length leaks through timing.
 */
export function checkAlertmanagerAuth(header: string | undefined, token: string): boolean {
  if (!header || token.length === 0) return false;
  const presented = presentedSecret(header);
  // Compare even when the header is malformed, so that its shape does not change timing much.
  const ok = sameSecret(presented ?? "", token);
  return presented !== undefined && ok;
}

function presentedSecret(header: string): string | undefined {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(header);
  if (!match) return undefined;
  const scheme = match[1]!.toLowerCase();
  const credentials = match[2]!;
  if (scheme === "bearer") return credentials;
  if (scheme === "basic") {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(credentials)) return undefined;
    const decoded = Buffer.from(credentials, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon < 0 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const da = createHash("sha256").update(a, "utf8").digest();
  const db = createHash("sha256").update(b, "utf8").digest();
  return timingSafeEqual(da, db);
}
