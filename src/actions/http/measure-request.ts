import http from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import type { TLSSocket } from "node:tls";

/** A phase of one HTTP exchange, in the order they happen. */
export type Phase = "dns" | "connect" | "tls" | "first_byte" | "total";

/** Milliseconds since the request started at which each phase completed; absent when it did not happen (an IP literal needs no DNS). */
export type PhaseMarks = Partial<Record<Phase, number>>;

/** One measured HTTP exchange on a fresh connection. */
export interface MeasuredResponse {
  readonly status: number;
  readonly statusText: string;
  readonly headers: IncomingHttpHeaders;
  readonly bytes: number;
  /** The body was longer than the limit and was not read to the end. */
  readonly truncated: boolean;
  readonly remote: string | null;
  readonly tls: {
    readonly protocol: string | null;
    readonly validTo: string | null;
    readonly subject: string | null;
  } | null;
  readonly marks: PhaseMarks;
}

/** Why a measured request failed, and how far it had got. */
export class RequestFailure extends Error {
  constructor(
    readonly reached: PhaseMarks,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

export interface MeasureOptions {
  readonly method: "GET" | "HEAD";
  readonly signal: AbortSignal;
  readonly ca?: string;
  readonly maxBodyBytes: number;
}

/**
 * Sends one request on a connection of its own (no keep-alive agent, so DNS, connect and
 * TLS really happen) and records when each phase completed, from the socket's own events.
 * Redirects are not followed: the status is what the endpoint answered.
 */
export function measureRequest(url: URL, options: MeasureOptions): Promise<MeasuredResponse> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const marks: PhaseMarks = {};
    const mark = (phase: Phase) => {
      marks[phase] ??= performance.now() - started;
    };
    const client = url.protocol === "https:" ? https : http;
    const req = client.request(url, {
      method: options.method,
      agent: false,
      signal: options.signal,
      headers: { "user-agent": "firebreak-http-check", accept: "*/*", connection: "close" },
      ...(options.ca ? { ca: options.ca } : {}),
    });
    let tls: MeasuredResponse["tls"] = null;
    req.once("socket", (socket) => {
      socket.once("lookup", () => mark("dns"));
      socket.once("connect", () => mark("connect"));
      socket.once("secureConnect", () => {
        mark("tls");
        const tlsSocket = socket as TLSSocket;
        const cert = tlsSocket.getPeerCertificate();
        tls = {
          protocol: tlsSocket.getProtocol(),
          validTo: cert.valid_to ?? null,
          subject: typeof cert.subject?.CN === "string" ? cert.subject.CN : null,
        };
      });
    });
    req.once("error", (err) => reject(new RequestFailure({ ...marks }, err)));
    req.once("response", (res) => {
      mark("first_byte");
      let bytes = 0;
      let truncated = false;
      const finish = () => {
        mark("total");
        resolve({
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? "",
          headers: res.headers,
          bytes,
          truncated,
          remote: res.socket?.remoteAddress ? `${res.socket.remoteAddress}:${res.socket.remotePort}` : null,
          tls,
          marks: { ...marks },
        });
      };
      res.on("data", (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= options.maxBodyBytes && !truncated) {
          truncated = true;
          finish();
          res.destroy();
        }
      });
      res.once("end", finish);
      res.once("error", (err) => {
        if (!truncated) reject(new RequestFailure({ ...marks }, err));
      });
    });
    req.end();
  });
}
