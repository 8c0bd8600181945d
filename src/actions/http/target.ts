/** A configured HTTP endpoint (and the hosts around it) that `http.check`, `net.dns` and `net.tcp` reach. */
export interface HttpTarget {
  /** Name used in the catalog and in messages. */
  readonly name: string;
  /** `http://` or `https://` URL that `http.check` requests. Userinfo and query are never shown in output. */
  readonly url: string;
  /**
   * Further hosts `net.dns` may resolve and `net.tcp` may connect to: `db.internal` (any
   * port), `db.internal:5432` (that port only), `10.0.0.5`, `[::1]:8080`. The URL's own
   * host and port are always allowed.
   */
  readonly hosts?: readonly string[];
  /** Limit for one check, from the first byte sent to the last byte read. Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Extra PEM certificate authorities to trust, for endpoints behind an internal CA. */
  readonly ca?: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
