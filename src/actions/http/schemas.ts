import { isIP } from "node:net";
import { z } from "zod";

const LABEL = "[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`);

/**
 * A DNS name or an IP address, ASCII only (an IDN must be given in its xn-- form, which
 * also keeps look-alike letters out). Brackets around an IPv6 address are dropped.
 */
export const hostSchema = z
  .string()
  .max(253)
  .transform((h) => (h.startsWith("[") && h.endsWith("]") ? h.slice(1, -1) : h))
  .refine((h) => isIP(h) !== 0 || HOSTNAME.test(h), "expected a host name or an IP address");

/** A TCP port, as a number or as digits. */
export const portSchema = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^[0-9]{1,5}$/)
      .transform(Number),
  ])
  .pipe(z.number().int().min(1).max(65_535));

/**
 * An absolute path on the target's own origin, with an optional query: unreserved URL
 * characters only, no `//` (which would name another host) and no `..` segments.
 */
export const pathSchema = z
  .string()
  .max(512)
  .regex(
    /^\/[A-Za-z0-9._~/-]*(\?[A-Za-z0-9._~=&%-]*)?$/,
    "a path is /segments of letters, digits and . _ ~ - only",
  )
  .refine((p) => !p.startsWith("//") && !/(^|\/)\.\.(\/|\?|$)/.test(p), "a path may not contain // or ..");

const statusCode = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^[0-9]{3}$/)
      .transform(Number),
  ])
  .pipe(z.number().int().min(100).max(599));

/** Expected status codes: one, a list, or a comma-separated list as typed in chat (`200,204`). */
export const expectedStatusSchema = z.preprocess(
  (v) => (typeof v === "string" && v.includes(",") ? v.split(",").map((s) => s.trim()) : v),
  z.union([statusCode.transform((s) => [s]), z.array(statusCode).min(1).max(20)]),
);
