import { FirebreakError } from "../../core/errors.js";
import type { HttpTarget } from "./target.js";

/** One allowed host, with the only port allowed on it (undefined: any port). */
export interface AllowedHost {
  readonly host: string;
  readonly port?: number;
}

/** Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 address. */
export function parseHostEntry(entry: string): AllowedHost {
  const text = entry.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::([0-9]{1,5}))?$/.exec(text);
  if (bracketed) return withPort(bracketed[1] ?? "", bracketed[2]);
  const colons = text.split(":").length - 1;
  if (colons === 1) {
    const [host = "", port] = text.split(":");
    return withPort(host, port);
  }
  return { host: text };
}

/** The target's URL host (with its port) followed by its configured hosts. */
export function allowedHosts(target: HttpTarget): AllowedHost[] {
  const url = new URL(target.url);
  const urlHost = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  const urlPort = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return [{ host: urlHost.toLowerCase(), port: urlPort }, ...(target.hosts ?? []).map(parseHostEntry)];
}

/** Refuses a host (and port) the target does not list. */
export function assertAllowed(target: HttpTarget, host: string, port?: number): void {
  const wanted = host.toLowerCase();
  const ok = allowedHosts(target).some(
    (a) => a.host === wanted && (port === undefined || a.port === undefined || a.port === port),
  );
  if (!ok) {
    const where = port === undefined ? host : `${host}:${port}`;
    throw new FirebreakError(
      "forbidden",
      `${where} is not among the hosts of target ${target.name}; add it to its hosts to check it from Firebreak.`,
    );
  }
}

function withPort(host: string, port: string | undefined): AllowedHost {
  return port === undefined ? { host } : { host, port: Number(port) };
}
