import type { ApiException } from "@kubernetes/client-node";
import { FirebreakError } from "../../core/errors.js";
import { loadedKubernetesModule } from "./client.js";
import type { KubernetesTarget } from "./target.js";

/** The parts of a Kubernetes `Status` body that errors are built from. */
export interface KubeStatus {
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: { readonly name?: string; readonly kind?: string; readonly group?: string };
}

/** The `Status` an ApiException carries (its body arrives as text or already parsed). */
export function statusOf(err: ApiException<unknown>): KubeStatus | undefined {
  let body: unknown = err.body;
  if (typeof body === "string") {
    const text = body.trim();
    try {
      body = JSON.parse(text) as unknown;
    } catch {
      return text ? { message: text.slice(0, 500) } : undefined;
    }
  }
  if (typeof body !== "object" || body === null) return undefined;
  return body;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

function networkCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code && NETWORK_CODES.has(code)) return code;
  }
  return undefined;
}

/**
 * Translates what the Kubernetes client threw into a FirebreakError a responder can act on.
 * `subject` names what the call was about (`deployment ecommerce/app`), for not-found and
 * conflict messages.
 */
export function kubeError(
  err: unknown,
  target: KubernetesTarget,
  subject: string,
  opts: { signal?: AbortSignal; server?: string } = {},
): FirebreakError {
  if (err instanceof FirebreakError) return err;
  const where = `Kubernetes target ${target.name}`;
  if (opts.signal?.aborted) {
    const timedOut = (opts.signal.reason as Error | undefined)?.name === "TimeoutError";
    return new FirebreakError(
      timedOut ? "timeout" : "action_failed",
      timedOut
        ? `${where} did not answer in time (${subject}).`
        : `Cancelled before ${where} answered (${subject}).`,
      { cause: err },
    );
  }
  const k8s = loadedKubernetesModule();
  if (k8s && err instanceof k8s.ApiException) {
    const status = statusOf(err);
    const said = status?.message ?? `HTTP ${err.code}`;
    const details = { httpStatus: err.code, reason: status?.reason, serverMessage: status?.message };
    const make = (code: ConstructorParameters<typeof FirebreakError>[0], message: string) =>
      new FirebreakError(code, message, { cause: err, details });
    switch (err.code) {
      case 401:
        return make(
          "forbidden",
          `${where} rejected Firebreak's credentials (401 Unauthorized): check the token or certificate in its kubeconfig.`,
        );
      case 403:
        return make(
          "forbidden",
          `${where} refused: ${said}. Grant Firebreak that permission (RBAC) or drop the step.`,
        );
      case 404:
        return make("not_found", `${subject} not found on ${where}.`);
      case 409:
        return make(
          "conflict",
          `${subject} changed on ${where} while Firebreak was changing it (${said}); nothing was applied. Preview it again.`,
        );
      case 400:
      case 422:
        return make("input_invalid", `${where} rejected the request for ${subject}: ${said}`);
      case 429:
        return make("rate_limited", `${where} is throttling requests (${said}); try again shortly.`);
      default:
        if (err.code >= 500)
          return make(
            "dependency_unavailable",
            `${where} failed on ${subject} (HTTP ${err.code}: ${said}); try again.`,
          );
        return make("action_failed", `${where} answered HTTP ${err.code} for ${subject}: ${said}`);
    }
  }
  const network = networkCode(err);
  if (network || (err instanceof TypeError && err.message === "fetch failed"))
    return new FirebreakError(
      "dependency_unavailable",
      `Cannot reach the API server of ${where}${opts.server ? ` at ${opts.server}` : ""} (${network ?? "connection failed"}).`,
      { cause: err },
    );
  const message = err instanceof Error ? err.message : String(err);
  return new FirebreakError("action_failed", `${where}: ${subject}: ${message}`, { cause: err });
}
