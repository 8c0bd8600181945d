import type { Response } from "express";

/** Sends a page with the headers every page carries: no caching, no sniffing, no scripts. */
export function sendPage(res: Response, type: string, body: string): void {
  res.setHeader("Cache-Control", "no-store");
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader(
    "Content-Security-Policy",
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'",
  );
  res.type(`${type}; charset=utf-8`).send(body);
}
