import { FirebreakError } from "../core/errors.js";
import type { OutboundMessage, PageProvider } from "../core/ports.js";

/** ntfy settings (NTFY_URL, NTFY_TOKEN). */
export interface NtfySettings {
  url: string;
  token?: string;
  timeoutMs?: number;
}

interface NtfyError {
  code?: number;
  http?: number;
  error?: string;
}

/** Push through an ntfy server's JSON publish API (priority 5, an Acknowledge action button). */
export function createNtfyProvider(s: NtfySettings): PageProvider {
  const base = s.url.replace(/\/+$/, "");
  const headers = (extra: Record<string, string> = {}) => ({
    ...extra,
    ...(s.token ? { authorization: `Bearer ${s.token}` } : {}),
  });
  return {
    async send(m: OutboundMessage) {
      if (m.type !== "ntfy") throw new FirebreakError("internal", `ntfy cannot send ${m.type} messages`);
      let res: Response;
      try {
        res = await fetch(`${base}/`, {
          method: "POST",
          headers: headers({ "content-type": "application/json" }),
          body: JSON.stringify({ topic: m.topic, ...m.message }),
          redirect: "manual",
          signal: AbortSignal.timeout(s.timeoutMs ?? 10_000),
        });
      } catch (err) {
        const timedOut = (err as Error).name === "TimeoutError";
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new FirebreakError(
          timedOut ? "timeout" : "dependency_unavailable",
          timedOut ? "ntfy did not answer in time" : `ntfy unreachable${cause ? ` (${cause})` : ""}`,
          { cause: err },
        );
      }
      const text = await res.text();
      if (res.ok) {
        const id = (JSON.parse(text) as { id?: string }).id;
        return { ref: id ?? null };
      }
      let body: NtfyError;
      try {
        body = JSON.parse(text) as NtfyError;
      } catch {
        body = {};
      }
      const detail = `ntfy ${body.code ?? res.status}: ${body.error ?? res.statusText}`;
      if (res.status === 401 || res.status === 403)
        throw new FirebreakError("config_invalid", `${detail}: check NTFY_TOKEN and the topic's access.`);
      if (res.status === 429) throw new FirebreakError("rate_limited", detail);
      if (res.status >= 500) throw new FirebreakError("dependency_unavailable", detail);
      throw new FirebreakError("input_invalid", detail);
    },
    /** Polls the topic for the message (same title and text) published since the claim. */
    async findSent(m, since) {
      if (m.type !== "ntfy") return undefined;
      try {
        const res = await fetch(
          `${base}/${encodeURIComponent(m.topic)}/json?poll=1&since=${Math.floor(since.getTime() / 1000) - 1}`,
          { headers: headers(), signal: AbortSignal.timeout(s.timeoutMs ?? 10_000) },
        );
        if (!res.ok) return undefined;
        const lines = (await res.text()).split("\n").filter(Boolean);
        for (const line of lines) {
          const msg = JSON.parse(line) as { id?: string; title?: string; message?: string };
          if (msg.title === m.message.title && msg.message === m.message.message) return msg.id ?? null;
        }
        return null;
      } catch {
        return undefined;
      }
    },
  };
}
