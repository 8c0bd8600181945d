import { createHmac, timingSafeEqual } from "node:crypto";

/** How an acknowledge link reached the person, recorded with the ack (`via`). */
export type AckLinkVia = "link" | "email";

/** What a signed acknowledge link says: which page, for which medium, until when. */
export interface AckTokenClaims {
  pageId: number;
  via: AckLinkVia;
  expiresAt: Date;
  /** The page's single-use nonce, stored with it: once used, every link of the page is spent. */
  nonce: string;
}

const VERSION = "a1";
const VIA_CODE: Record<AckLinkVia, string> = { link: "l", email: "e" };
const CODE_VIA: Record<string, AckLinkVia> = { l: "link", e: "email" };

const mac = (key: Buffer, payload: string) =>
  createHmac("sha256", key).update(payload).digest().subarray(0, 16).toString("base64url");

/**
 * A URL-safe token for `GET|POST /ack/<token>`: the claims in clear and a truncated
 * HMAC-SHA256 over them with the install's key. It proves the link is Firebreak's; single
 * use is enforced by the nonce stored with the page.
 */
export function signAckToken(key: Buffer, claims: AckTokenClaims): string {
  const exp = Math.floor(claims.expiresAt.getTime() / 1000).toString(36);
  const payload = `${VERSION}.${claims.pageId.toString(36)}.${VIA_CODE[claims.via]}.${exp}.${claims.nonce}`;
  return `${payload}.${mac(key, payload)}`;
}

/** Why a token was refused. */
export type AckTokenProblem = "malformed" | "bad_signature" | "expired";

/** Checks a token's signature and expiry at `now`. */
export function verifyAckToken(
  key: Buffer,
  token: string,
  now: Date,
): { ok: true; claims: AckTokenClaims } | { ok: false; problem: AckTokenProblem } {
  const parts = token.split(".");
  if (parts.length !== 6 || parts[0] !== VERSION) return { ok: false, problem: "malformed" };
  const [, page, via, exp, nonce, sig] = parts as [string, string, string, string, string, string];
  if (!/^[0-9a-z]{1,12}$/.test(page) || !/^[0-9a-z]{1,10}$/.test(exp) || !/^[A-Za-z0-9_-]{8,64}$/.test(nonce))
    return { ok: false, problem: "malformed" };
  const medium = CODE_VIA[via];
  if (!medium) return { ok: false, problem: "malformed" };
  const expected = Buffer.from(mac(key, parts.slice(0, 5).join(".")));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, problem: "bad_signature" };
  const expiresAt = new Date(parseInt(exp, 36) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, problem: "expired" };
  return { ok: true, claims: { pageId: parseInt(page, 36), via: medium, expiresAt, nonce } };
}

/**
 * An ack code of `digits` digits (four unless a person has that many pages open) not in
 * `taken` (codes of the person's pages still open), from `random` in [0, 1). Codes are per
 * person: an SMS reply comes from their number. Throws when every such code is taken.
 */
export function pickAckCode(taken: ReadonlySet<string>, random: () => number, digits = 4): string {
  const low = 10 ** (digits - 1);
  const span = 9 * low;
  for (let i = 0; i < 50; i += 1) {
    const code = String(low + Math.floor(random() * span));
    if (!taken.has(code)) return code;
  }
  for (let n = low; n < low + span; n += 1) if (!taken.has(String(n))) return String(n);
  throw new Error(`every ${digits}-digit ack code is taken`);
}

/** Signs a calendar feed's subject (`person:<user id>` or `schedule:<name>`) for `/calendar/<token>.ics`. */
export function signCalendarToken(key: Buffer, subject: CalendarSubject): string {
  const payload = `${subject.kind === "person" ? "p" : "s"}.${Buffer.from(subject.kind === "person" ? subject.userId : subject.schedule).toString("base64url")}`;
  return `${payload}.${mac(Buffer.concat([key, Buffer.from("calendar")]), payload)}`;
}

/** Whose shifts a calendar feed shows. */
export type CalendarSubject = { kind: "person"; userId: string } | { kind: "schedule"; schedule: string };

/** The subject of a calendar token, or null when it is not one Firebreak signed. */
export function verifyCalendarToken(key: Buffer, token: string): CalendarSubject | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [kind, subject, sig] = parts as [string, string, string];
  if ((kind !== "p" && kind !== "s") || !/^[A-Za-z0-9_-]{1,200}$/.test(subject)) return null;
  const expected = Buffer.from(mac(Buffer.concat([key, Buffer.from("calendar")]), `${kind}.${subject}`));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  const value = Buffer.from(subject, "base64url").toString("utf8");
  return kind === "p" ? { kind: "person", userId: value } : { kind: "schedule", schedule: value };
}
