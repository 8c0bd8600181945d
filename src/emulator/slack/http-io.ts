import type { IncomingMessage, ServerResponse } from "node:http";
import { FirebreakError } from "../../core/errors.js";

/** Larger than any legitimate request the app makes; files are capped by Slack at 1 GB, here lower. */
const MAX_BODY_BYTES = 50 * 1024 * 1024;

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new FirebreakError("input_invalid", "request body too large");
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** A parsed request body: fields, plus file parts for multipart bodies. */
export interface ParsedBody {
  fields: Record<string, unknown>;
  files: { field: string; filename: string; data: Buffer }[];
  /** Whether the body was JSON that did not parse. */
  malformed: boolean;
}

/** Parses the body the way Slack does, by content type: form, JSON or multipart. */
export function parseBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    if (raw.length === 0) return { fields: {}, files: [], malformed: false };
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      const fields =
        typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
          ? (parsed as Record<string, unknown>)
          : {};
      return { fields, files: [], malformed: false };
    } catch {
      return { fields: {}, files: [], malformed: true };
    }
  }
  if (type === "multipart/form-data") {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType ?? "")?.[1];
    if (boundary !== undefined) return parseMultipart(raw, boundary);
  }
  return {
    fields: Object.fromEntries(new URLSearchParams(raw.toString("utf8"))),
    files: [],
    malformed: false,
  };
}

/** Just enough multipart/form-data for WebClient's uploads (undici's FormData). */
function parseMultipart(raw: Buffer, boundary: string): ParsedBody {
  const result: ParsedBody = { fields: {}, files: [], malformed: false };
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start >= 0) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = raw.subarray(start + delimiter.length + 2, next - 2);
    const split = part.indexOf("\r\n\r\n");
    if (split >= 0) {
      const headers = part.subarray(0, split).toString("utf8");
      const content = part.subarray(split + 4);
      const name = /name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      if (name !== undefined && filename !== undefined) {
        result.files.push({ field: name, filename, data: Buffer.from(content) });
      } else if (name !== undefined) {
        result.fields[name] = content.toString("utf8");
      }
    }
    start = next;
  }
  return result;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** The token a request carries: `Authorization: Bearer …` first, then a `token` field. */
export function requestToken(req: IncomingMessage, fields: Record<string, unknown>): string | undefined {
  const header = req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match?.[1] !== undefined) return match[1];
  }
  return typeof fields.token === "string" && fields.token !== "" ? fields.token : undefined;
}
