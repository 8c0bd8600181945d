/** Where tests find Postgres: TEST_PG_URL or the local trust-auth server. */
export const PG_BASE = process.env.TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432";

/**
 * The migrated template of this test run. Global setup names it and passes it to the
 * workers through the environment, so two runs on one machine never share (or drop) one.
 */
export const templateDb = (): string => process.env.FBT_TEMPLATE_DB ?? "fbt_template";

export const adminUrl = (): string => `${PG_BASE}/postgres`;
export const databaseUrl = (name: string): string => `${PG_BASE}/${name}`;
