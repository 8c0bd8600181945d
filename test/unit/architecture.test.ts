import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The import rules of docs/ARCHITECTURE.md, checked on every file of src/: which room may
 * import which, and which rooms may not touch a vendor SDK. A violation names the file and
 * the import, so the fix is obvious.
 */
const SRC = path.resolve(import.meta.dirname, "../../src");

type Rule = {
  /** Rooms (top-level folders or files of src/) this room may import from. */
  may: readonly string[];
  /** Packages this room may not import (vendor SDKs that belong in an adapter room). */
  noPackages?: readonly string[];
};

const USE_CASE_SDKS = [
  "@slack/bolt",
  "@slack/web-api",
  "express",
  "bullmq",
  "@kubernetes/client-node",
  "mysql2",
];
const ANY_ROOM = [
  "core",
  "store",
  "config",
  "config-schema",
  "catalog",
  "actions",
  "providers",
  "incidents",
  "alerts",
  "paging",
  "runs",
  "insights",
  "slack",
  "web",
  "jobs",
  "metrics",
  "log",
];

const RULES: Record<string, Rule> = {
  core: { may: ["core"], noPackages: [...USE_CASE_SDKS, "pg", "ioredis", "pino", "yaml"] },
  store: { may: ["core", "store"], noPackages: USE_CASE_SDKS },
  actions: { may: ["core", "actions"] },
  providers: { may: ["core", "providers"] },
  catalog: { may: ["core", "actions", "catalog", "config-schema"] },
  "config-schema": { may: ["core", "actions", "config-schema"] },
  config: { may: ["core", "catalog", "config-schema"] },
  incidents: { may: ["core", "store", "incidents", "config"], noPackages: USE_CASE_SDKS },
  alerts: {
    may: ["core", "store", "incidents", "alerts", "config", "config-schema"],
    noPackages: USE_CASE_SDKS,
  },
  paging: {
    may: ["core", "store", "incidents", "paging", "config", "config-schema", "metrics"],
    noPackages: USE_CASE_SDKS,
  },
  runs: {
    may: ["core", "store", "incidents", "runs", "actions", "catalog", "config", "config-schema", "metrics"],
    noPackages: USE_CASE_SDKS,
  },
  insights: { may: ["core", "store", "insights", "config", "config-schema"], noPackages: USE_CASE_SDKS },
  slack: { may: ANY_ROOM.filter((r) => r !== "web" && r !== "jobs") },
  web: { may: ANY_ROOM.filter((r) => r !== "slack" && r !== "jobs") },
  jobs: { may: ANY_ROOM.filter((r) => r !== "web") },
  runtime: { may: ANY_ROOM },
  main: { may: [...ANY_ROOM, "runtime", "local-mode"] },
  "local-mode": { may: [...ANY_ROOM, "runtime", "emulator", "console"] },
  emulator: { may: ["core", "emulator"] },
  console: { may: ["core", "emulator", "console", "web"] },
  log: { may: [] },
  metrics: { may: [] },
};

/** Another use-case room's files a room may import: only its ports (the types it implements). */
const CROSS_PORTS: Record<string, Record<string, readonly string[]>> = {
  runs: { alerts: ["alerts/ports.ts"] },
  jobs: { slack: ["slack/outbox/drainer.ts"] },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const roomOf = (file: string) => {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]!.replace(/\.ts$/, "") : rel[0]!;
};

interface Import {
  file: string;
  spec: string;
  /** A static import (a dynamic `import()` is how local mode loads emulators on demand). */
  dynamic: boolean;
}

function importsOf(file: string): Import[] {
  const text = readFileSync(file, "utf8");
  const out: Import[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gms))
    out.push({ file, spec: m[1]!, dynamic: false });
  for (const m of text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g))
    out.push({ file, spec: m[1]!, dynamic: true });
  return out;
}

const all = files(SRC).flatMap(importsOf);

describe("the import rules of docs/ARCHITECTURE.md", () => {
  it("every room imports only the rooms it may", () => {
    const problems: string[] = [];
    for (const imp of all) {
      if (!imp.spec.startsWith(".")) continue;
      const from = roomOf(imp.file);
      const target = path.resolve(path.dirname(imp.file), imp.spec).replace(/\.js$/, ".ts");
      const to = roomOf(target);
      if (to === from) continue;
      const rule = RULES[from];
      if (!rule) {
        problems.push(`${path.relative(SRC, imp.file)}: room "${from}" has no rule in ARCHITECTURE.md`);
        continue;
      }
      const allowedFiles = CROSS_PORTS[from]?.[to];
      const rel = path.relative(SRC, target).split(path.sep).join("/");
      if (allowedFiles ? allowedFiles.includes(rel) : rule.may.includes(to)) continue;
      problems.push(`${path.relative(SRC, imp.file)} imports ${imp.spec}: ${from}/ may not import ${to}/`);
    }
    expect(problems).toEqual([]);
  });

  it("use-case rooms and the pure core touch no vendor SDK", () => {
    const problems: string[] = [];
    for (const imp of all) {
      const pkg = imp.spec.startsWith("@")
        ? imp.spec.split("/").slice(0, 2).join("/")
        : imp.spec.split("/")[0]!;
      if (RULES[roomOf(imp.file)]?.noPackages?.includes(pkg))
        problems.push(`${path.relative(SRC, imp.file)} imports ${imp.spec}`);
    }
    expect(problems).toEqual([]);
  });

  it("nothing but local mode loads the emulators and the console, and only on demand", () => {
    const problems = all
      .filter((imp) => imp.spec.startsWith("."))
      .filter((imp) => {
        const to = roomOf(path.resolve(path.dirname(imp.file), imp.spec).replace(/\.js$/, ".ts"));
        const from = roomOf(imp.file);
        return (
          (to === "emulator" || to === "console") &&
          from !== to &&
          from !== "console" &&
          from !== "local-mode"
        );
      })
      .map((imp) => `${path.relative(SRC, imp.file)} imports ${imp.spec}`);
    expect(problems).toEqual([]);
    const eager = all.filter(
      (imp) => roomOf(imp.file) === "main" && !imp.dynamic && /local-mode|emulator|console/.test(imp.spec),
    );
    expect(eager.map((imp) => imp.spec)).toEqual([]);
  });
});
