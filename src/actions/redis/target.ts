/**
 * What an operator may set one Redis config parameter to. With `values`, one of them
 * (compared case-insensitively, applied as written here); with `min`/`max`, a number within
 * them (bytes for memory parameters such as maxmemory); with both, either; with neither,
 * any number.
 */
export interface RedisConfigRule {
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

/** A configured Redis server that `redis.*` actions reach. */
export interface RedisTarget {
  /** Name used in the catalog and in messages; never the URL, which may hold a password. */
  readonly name: string;
  /** `redis://[:password@]host:6379[/db]`, or `rediss://` for TLS. */
  readonly url: string;
  /**
   * Parameters `redis.config_get` may read and `redis.config_set` may change, and to what.
   * Only parameters in REDIS_TUNABLE_PARAMETERS can ever be used, whatever is listed here.
   */
  readonly allowConfig: Readonly<Record<string, RedisConfigRule>>;
}
