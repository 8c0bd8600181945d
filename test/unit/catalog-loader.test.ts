import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { builtInActions } from "../../src/catalog/action-registry.js";
import { loadCatalog, parseCommandFile } from "../../src/catalog/loader.js";
import { loadCatalogSetup, parseFirebreakConfig, readEnvOptions } from "../../src/config.js";
import { NO_TARGETS, resolveTargets } from "../../src/config-schema/targets.js";
import { FirebreakError } from "../../src/core/errors.js";

const COMMANDS = path.resolve(import.meta.dirname, "../../commands");
const actions = builtInActions();

const TARGETS_YAML = `
targets:
  mysql:
    orders-db: { url_env: ORDERS_MYSQL_URL, allow_variables: { max_connections: { min: 10, max: 5000 } } }
  redis:
    cache: { url: "redis://127.0.0.1:6379", allow_config: { maxmemory: { min: 1mb, max: 1gb } } }
`;
const targets = resolveTargets(parseFirebreakConfig(TARGETS_YAML).targets, {
  ORDERS_MYSQL_URL: "mysql://app:s3cret-pw@127.0.0.1:3306/orders",
});

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return (err as FirebreakError).message;
  }
  throw new Error("expected an error");
}

const VALID = `
name: sample
title: Sample
description: A sample diagnostic.
kind: diagnostic
target_type: mysql
target: "{{target}}"
parameters:
  - { name: target, type: target, description: server }
  - { name: min_time, type: integer, description: seconds, min: 0, max: 600, default: 300 }
steps:
  - action: mysql.processlist
    args: { minTimeSeconds: "{{min_time}}" }
policy:
  request: [responder]
`;
const parse = (text: string, file = "sample.yaml") => parseCommandFile(text, file, { targets, actions });

describe("the starter catalog (commands/)", () => {
  it("loads with no targets configured, so a fresh install starts", () => {
    const catalog = loadCatalog(COMMANDS, { targets: NO_TARGETS, actions });
    expect(catalog.commands.size).toBeGreaterThanOrEqual(20);
  });

  it("covers every built-in action with at least one command", () => {
    const catalog = loadCatalog(COMMANDS, { targets, actions });
    const used = new Set([...catalog.commands.values()].flatMap((c) => c.steps.map((s) => s.action)));
    expect([...actions.keys()].filter((a) => !used.has(a))).toEqual([]);
  });

  it("makes every remediation need an approval by someone else, in incident channels only", () => {
    const catalog = loadCatalog(COMMANDS, { targets, actions });
    for (const c of catalog.commands.values()) {
      if (c.kind !== "remediation") continue;
      expect(c.policy.approvals.count, c.name).toBeGreaterThanOrEqual(1);
      expect(c.policy.channels, c.name).toBe("incident");
      expect(c.policy.exclusive, c.name).toBe(true);
    }
  });

  it("is what check-config and start-up load (FIREBREAK_COMMANDS_DIR), with secrets from the environment", () => {
    const env = readEnvOptions({ FIREBREAK_COMMANDS_DIR: COMMANDS, ORDERS_MYSQL_URL: "mysql://a:b@h/db" });
    const { catalog, targets: t } = loadCatalogSetup(env, parseFirebreakConfig(TARGETS_YAML));
    expect(catalog.commands.has("mysql-processlist")).toBe(true);
    expect(t.mysql.get("orders-db")?.url).toBe("mysql://a:b@h/db");
  });
});

describe("loading a command file", () => {
  it("accepts a valid file and fills the policy defaults", () => {
    const c = parse(VALID);
    expect(c.policy).toMatchObject({
      channels: "any",
      exclusive: false,
      timeoutMs: 30_000,
      approvalExpiryMs: 900_000,
    });
    expect(c.parameters[1]).toMatchObject({ type: "integer", default: 300 });
  });

  const cases: [string, (t: string) => string, RegExp][] = [
    [
      "a name that differs from the file",
      (t) => t.replace("name: sample", "name: other"),
      /sample.yaml: name: "other" differs from the file name; rename the file to other.yaml/,
    ],
    ["an unknown kind", (t) => t.replace("kind: diagnostic", "kind: nope"), /sample.yaml: kind: /],
    [
      "a placeholder naming nothing",
      (t) => t.replace("{{min_time}}", "{{nope}}"),
      /steps\[0\]\.args\.minTimeSeconds: \{\{nope\}\} names no parameter/,
    ],
    [
      "a placeholder inside text",
      (t) => t.replace('"{{min_time}}"', '"x {{min_time}}"'),
      /never spliced into text/,
    ],
    [
      "an argument the action does not take",
      (t) => t.replace('minTimeSeconds: "{{min_time}}"', "bogus: 1"),
      /steps\[0\]\.args: /,
    ],
    [
      "an unknown action",
      (t) => t.replace("mysql.processlist", "mysql.nope"),
      /steps\[0\]\.action: "mysql.nope" is not a built-in action; use one of mysql\./,
    ],
    [
      "an action of another target type",
      (t) => t.replace('mysql.processlist\n    args: { minTimeSeconds: "{{min_time}}" }', "redis.ping"),
      /redis.ping reaches redis targets, but this command's target_type is mysql/,
    ],
    [
      "a remediation action in a diagnostic",
      (t) =>
        t.replace(
          'mysql.processlist\n    args: { minTimeSeconds: "{{min_time}}" }',
          "mysql.kill\n    args: { id: 1 }",
        ),
      /mysql.kill changes things; a diagnostic may only read/,
    ],
    [
      "a target that is not configured",
      (t) => t.replace('target: "{{target}}"', "target: prod-db"),
      /"prod-db" is not a configured mysql target; add it under targets.mysql/,
    ],
    [
      "a default out of bounds",
      (t) => t.replace("default: 300", "default: 900"),
      /parameters\[1\]\.default: min_time: 900 is out of bounds/,
    ],
    [
      "an unknown role",
      (t) => t.replace("request: [responder]", "request: [wizard]"),
      /policy\.request\[0\]/,
    ],
    [
      "a broken pattern",
      (t) =>
        t.replace(
          "{ name: target, type: target, description: server }",
          '{ name: target, type: string, pattern: "(", description: x }',
        ),
      /parameters\[0\]\.pattern: not a valid regular expression/,
    ],
  ];
  it.each(cases)("names file, field and fix for %s", (_what, change, message) => {
    const text = change(VALID);
    expect(text).not.toBe(VALID);
    expect(errorOf(() => parse(text))).toMatch(message);
  });

  it("refuses a remediation without approvals, or allowed outside incident channels", () => {
    const remediation = VALID.replace("kind: diagnostic", "kind: remediation").replace(
      'mysql.processlist\n    args: { minTimeSeconds: "{{min_time}}" }',
      "mysql.kill\n    args: { id: 1 }",
    );
    expect(errorOf(() => parse(remediation))).toMatch(/policy\.approvals: a remediation needs approvals/);
    const anywhere = remediation.replace(
      "  request: [responder]",
      "  request: [responder]\n  approvals: { count: 1, roles: [admin] }\n  channels: any",
    );
    expect(errorOf(() => parse(anywhere))).toMatch(
      /policy\.channels: remediations run only in incident channels/,
    );
  });

  it("refuses two files with one name, naming both", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "fb-catalog-"));
    try {
      writeFileSync(path.join(dir, "sample.yaml"), VALID);
      writeFileSync(path.join(dir, "sample.yml"), VALID);
      expect(errorOf(() => loadCatalog(dir, { targets, actions }))).toMatch(
        /sample.yml: name: "sample" is also the name of sample.yaml/,
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("says which folder it cannot read", () => {
    expect(errorOf(() => loadCatalog("/nonexistent/commands", { targets, actions }))).toMatch(
      /^FIREBREAK_COMMANDS_DIR: cannot read \/nonexistent\/commands/,
    );
  });
});

describe("targets in firebreak.yaml", () => {
  it("stops start-up naming an unset secret variable", () => {
    expect(errorOf(() => resolveTargets(parseFirebreakConfig(TARGETS_YAML).targets, {}))).toMatch(
      /^ORDERS_MYSQL_URL: is not set, but firebreak.yaml targets.mysql.orders-db.url_env reads it/,
    );
  });

  it("refuses a password written into the YAML", () => {
    expect(
      errorOf(() => parseFirebreakConfig("targets:\n  postgres:\n    db: { url: 'postgres://u:pw@h/db' }\n")),
    ).toMatch(/targets\.postgres\.db\.url: a URL with a password belongs in the environment/);
  });

  it("keeps resolved secrets (and the passwords inside URLs) for redaction", () => {
    expect(targets.secrets).toEqual(
      expect.arrayContaining(["mysql://app:s3cret-pw@127.0.0.1:3306/orders", "s3cret-pw"]),
    );
  });
});
