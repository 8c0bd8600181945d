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

  it("refuses each alert route whose commands do not fit the catalog, one line each naming the route, the field and the fix", async () => {
    const config = path.join(dir, "routes.yaml");
    writeFileSync(
      config,
      `targets:
  mysql:
    orders-db: { url_env: FBT_ORDERS_MYSQL_URL }
  redis:
    cache: { url: "redis://127.0.0.1:6379", allow_config: { maxmemory: { min: 64mb, max: 4gb } } }
  kubernetes:
    shop: { kubeconfig: /nonexistent/kubeconfig, context: shop, namespaces: [ecommerce] }
alerts:
  routes:
    - match: { alertname: Unknown }
      auto_diagnostics: [mysql-conections]
    - match: { alertname: RemediationAsDiagnostic }
      auto_diagnostics: [redis-info, redis-set-maxmemory]
    - match: { alertname: UnknownFix }
      self_heal: { command: redis-set-maxmemry, params: { value: 2gb } }
    - match: { alertname: DiagnosticAsFix }
      self_heal: { command: redis-info }
    - match: { alertname: NotPreApproved, env: "!=staging" }
      self_heal: { command: mysql-kill-connection, params: { id: 42 } }
    - match: { alertname: BadType }
      self_heal: { command: redis-set-maxmemory, params: { value: lots } }
    - match: { alertname: OutOfBounds }
      self_heal: { command: redis-set-maxmemory, params: { value: 8gb }, page_after: 5m }
    - match: { alertname: MissingParam }
      auto_diagnostics: [k8s-pods]
    - match: { alertname: Fine }
      auto_diagnostics: [redis-info, { command: mysql-processlist, params: { min_time: 30 } }]
      self_heal: { command: redis-set-maxmemory, params: { value: 2gb }, page_after: 5m }
`,
    );
    const r = await check({ FBT_ORDERS_MYSQL_URL: "mysql://a@h/db", FIREBREAK_CONFIG: config });
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(
      /^firebreak: routes.yaml: alerts.routes\[0\] \(alertname=Unknown\)\.auto_diagnostics\[0\]: "mysql-conections" is not a command of the catalog; fix the name \(diagnostics: .*mysql-connections.*\) or add commands\/mysql-conections.yaml\.$/,
    );
    expect(lines[1]).toBe(
      'firebreak: routes.yaml: alerts.routes[1] (alertname=RemediationAsDiagnostic).auto_diagnostics[1]: "redis-set-maxmemory" is a remediation; auto_diagnostics runs only diagnostics (read-only). Name it under self_heal (its policy needs auto_approve_for_alerts), or remove it.',
    );
    expect(lines[2]).toMatch(
      /^firebreak: routes.yaml: alerts.routes\[2\] \(alertname=UnknownFix\)\.self_heal\.command: "redis-set-maxmemry" is not a command of the catalog; fix the name \(remediations pre-approved for alerts: .*redis-set-maxmemory\)/,
    );
    expect(lines[3]).toBe(
      'firebreak: routes.yaml: alerts.routes[3] (alertname=DiagnosticAsFix).self_heal.command: "redis-info" is a diagnostic; self_heal runs a remediation. List it under auto_diagnostics, or name a remediation.',
    );
    expect(lines[4]).toBe(
      "firebreak: routes.yaml: alerts.routes[4] (alertname=NotPreApproved, env!=staging).self_heal.command: mysql-kill-connection is not pre-approved for alerts; add auto_approve_for_alerts: { max_per_hour: 2, cooldown: 10m } to the policy in mysql-kill-connection.yaml (the guardrails it runs under), or remove self_heal.",
    );
    expect(lines[5]).toBe(
      'firebreak: routes.yaml: alerts.routes[5] (alertname=BadType).self_heal.params.value: "lots" does not match the allowed form [0-9]{1,16}(kb|mb|gb|k|m|g)?. Fix it in the route.',
    );
    expect(lines[6]).toBe(
      "firebreak: routes.yaml: alerts.routes[6] (alertname=OutOfBounds).self_heal.params: 8589934592 is above the maximum 4294967296 allowed for maxmemory on cache. Fix the parameters in the route.",
    );
    expect(lines[7]).toMatch(
      /^firebreak: routes.yaml: alerts.routes\[7\] \(alertname=MissingParam\)\.auto_diagnostics\[0\]\.params\.namespace: k8s-pods needs namespace .* add it, e.g\. \{ command: k8s-pods, params: \{ namespace: … \} \}\.$/,
    );

    // The same routes stop start-up too, before anything is served.
    const serve = await runCli(["web"], {
      FIREBREAK_CONFIG: config,
      FIREBREAK_COMMANDS_DIR: STARTER,
      FBT_ORDERS_MYSQL_URL: "mysql://a@h/db",
      SLACK_BOT_TOKEN: "xoxb-test",
      SLACK_SIGNING_SECRET: "s3cret",
      DATABASE_URL: "postgres://127.0.0.1:1/none",
      PORT: "0",
    });
    expect(serve.code).toBe(78);
    expect(serve.stderr.trim().split("\n")).toEqual(lines);
  });

  it("accepts the example config's self-healing routes against the starter catalog", async () => {
    const r = await runCli(["check-config"], {
      FIREBREAK_CONFIG: path.resolve(import.meta.dirname, "../../firebreak.example.yaml"),
      FIREBREAK_COMMANDS_DIR: STARTER,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /ok: alerts\.routes \(\d+ routes; \d+ diagnostics and 4 self-heals, each checked against the catalog\)/,
    );
  });
});
