/**
 * What an operator may set one MySQL global variable to. With `values`, the value must be
 * one of them (compared case-insensitively, applied as written here); with `min`/`max`,
 * it must be a number within them; with both, either; with neither, any number.
 */
export interface MysqlVariableRule {
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly string[];
}

/** A configured MySQL or MariaDB server that `mysql.*` actions reach. */
export interface MysqlTarget {
  /** Name used in the catalog and in messages; never the URL, which may hold a password. */
  readonly name: string;
  /**
   * `mysql://user:password@host:3306/db`. The query string accepts only `ssl=true`
   * (verify the server certificate); every other driver option is fixed by Firebreak.
   */
  readonly url: string;
  /** Global variables `mysql.set_global` may change, and to what. Anything else is refused. */
  readonly allowVariables: Readonly<Record<string, MysqlVariableRule>>;
}
