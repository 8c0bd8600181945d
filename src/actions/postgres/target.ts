/** A configured Postgres server that `postgres.*` actions reach. */
export interface PostgresTarget {
  /** Name used in the catalog and in messages; never the URL, which may hold a password. */
  readonly name: string;
  /**
   * `postgres://user:password@host:5432/db`. To see other users' queries the role needs
   * pg_read_all_stats; to cancel them, pg_signal_backend (or to be the same role).
   */
  readonly url: string;
}
