import { FirebreakError } from "../../core/errors.js";

const TLS_UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
]);

/**
 * Translates a socket, DNS or TLS error met while reaching `where` (`host:port`) into a
 * FirebreakError that says what failed and what to look at.
 */
export function translateNetError(err: unknown, targetName: string, where: string): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const e = (typeof err === "object" && err !== null ? err : {}) as { code?: string; message?: string };
  const code = e.code ?? "";
  const fail = (kind: FirebreakError["code"], message: string) =>
    new FirebreakError(kind, `${targetName}: ${message}`, {
      cause: err,
      details: { target: targetName, errno: code },
    });
  switch (code) {
    case "ECONNREFUSED":
      return fail(
        "dependency_unavailable",
        `connection refused by ${where}: nothing is listening there (service down, or wrong port).`,
      );
    case "ENOTFOUND":
      return fail("dependency_unavailable", `DNS: ${hostOf(where)} does not resolve (no such name).`);
    case "EAI_AGAIN":
      return fail(
        "dependency_unavailable",
        `DNS: resolving ${hostOf(where)} failed temporarily; the resolver may be down.`,
      );
    case "ECONNRESET":
      return fail("dependency_unavailable", `${where} reset the connection.`);
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return fail("dependency_unavailable", `${where} is unreachable from Firebreak (routing or firewall).`);
    case "ETIMEDOUT":
      return fail("timeout", `connecting to ${where} timed out (a firewall may be dropping packets).`);
    case "CERT_HAS_EXPIRED":
      return fail("action_failed", `TLS: the certificate of ${where} has expired.`);
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return fail("action_failed", `TLS: the certificate of ${where} is not valid for ${hostOf(where)}.`);
  }
  if (TLS_UNTRUSTED.has(code)) {
    return fail(
      "action_failed",
      `TLS: the certificate of ${where} is not trusted (${code}); add its CA to the target's ca.`,
    );
  }
  if (code.startsWith("HPE_"))
    return fail("action_failed", `${where} sent a malformed HTTP response (${code}).`);
  return fail("action_failed", `reaching ${where} failed: ${e.message ?? String(err)}`);
}

function hostOf(where: string): string {
  const bracketed = /^\[(.*)\]:\d+$/.exec(where);
  if (bracketed) return bracketed[1] ?? where;
  const colon = where.lastIndexOf(":");
  return colon > 0 && where.indexOf(":") === colon ? where.slice(0, colon) : where;
}
