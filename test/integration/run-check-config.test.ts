import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";

const STARTER = path.resolve(import.meta.dirname, "../../commands");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "fbt-check-config-"));
  writeFileSync(
    path.join(dir, "firebreak.yaml"),
    "targets:\n  mysql:\n    orders-db: { url_env: FBT_ORDERS_MYSQL_URL }\n",
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const check = (env: Record<string, string>) =>
  runCli(["check-config"], {
    FIREBREAK_CONFIG: path.join(dir, "firebreak.yaml"),
    FIREBREAK_COMMANDS_DIR: STARTER,
    ...env,
  });

describe("firebreak check-config with the catalog", () => {
  it("reports the catalog and the targets when both are valid", async () => {
    const r = await check({ FBT_ORDERS_MYSQL_URL: "mysql://app:pw@127.0.0.1:3306/orders" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /ok: .*commands \(\d+ diagnostics, \d+ remediations; targets: kubernetes 0, mysql 1/,
    );
    expect(r.stdout + r.stderr).not.toContain("pw@");
  });

  it("stops naming the unset secret variable", async () => {
    const r = await check({});
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(
      /^firebreak: FBT_ORDERS_MYSQL_URL: is not set, but firebreak.yaml targets.mysql.orders-db.url_env reads it/,
    );
  });

  it("stops naming the file, field and fix of a bad command", async () => {
    const commands = path.join(dir, "commands");
    cpSync(STARTER, commands, { recursive: true });
    writeFileSync(
      path.join(commands, "mysql-processlist.yaml"),
      "name: mysql-processlist\ntitle: t\ndescription: d\nkind: diagnostic\ntarget_type: mysql\ntarget: orders-db\nsteps:\n  - action: mysql.flush\npolicy:\n  request: [responder]\n",
    );
    const r = await check({ FBT_ORDERS_MYSQL_URL: "mysql://a@h/db", FIREBREAK_COMMANDS_DIR: commands });
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(
      /^firebreak: mysql-processlist.yaml: steps\[0\]\.action: "mysql.flush" is not a built-in action; use one of mysql\./,
    );
  });
});
