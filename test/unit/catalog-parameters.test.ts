import { describe, expect, it } from "vitest";
import { FirebreakError } from "../../src/core/errors.js";
import { parseRunCommand, tokenize } from "../../src/core/catalog/parse-run-command.js";
import {
  commandTarget,
  parseParamValue,
  resolveParams,
  substituteArgs,
} from "../../src/core/catalog/parameters.js";
import type { CatalogCommand, ParameterSpec } from "../../src/core/catalog/types.js";

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FirebreakError);
    return (err as FirebreakError).message;
  }
  throw new Error("expected an error");
}

const command: CatalogCommand = {
  name: "probe",
  title: "Probe",
  description: "d",
  kind: "diagnostic",
  targetType: "mysql",
  target: "{{target}}",
  parameters: [
    { name: "target", type: "target", description: "server" },
    { name: "rows", type: "integer", description: "rows", min: 1, max: 50, default: 10 },
    { name: "id", type: "integer", description: "connection id", min: 1, max: 9_007_199_254_740_991 },
  ],
  fixed: { limit: 25 },
  steps: [
    {
      action: "mysql.processlist",
      args: { limit: "{{rows}}", minTimeSeconds: "{{limit}}", commands: ["Query"] },
    },
  ],
  policy: {
    requesters: ["responder"],
    approvals: { count: 0, roles: [] },
    channels: "any",
    cooldownMs: 0,
    exclusive: false,
    timeoutMs: 30_000,
    approvalExpiryMs: 900_000,
  },
  file: "probe.yaml",
};

describe("/run text", () => {
  it("splits words, honouring double and single quotes and escapes inside double quotes", () => {
    expect(tokenize(`a b="x y" c='q "r"' d="say \\"hi\\""`)).toEqual(["a", "b=x y", 'c=q "r"', 'd=say "hi"']);
  });

  it("reads a command and its parameters, lowercasing names but not values", () => {
    expect(parseRunCommand("MySQL-Processlist TARGET=Orders min_time=0")).toEqual({
      type: "run",
      command: "mysql-processlist",
      params: { target: "Orders", min_time: "0" },
    });
  });

  it("reads help with and without a command", () => {
    expect(parseRunCommand("")).toEqual({ type: "help" });
    expect(parseRunCommand("help mysql-kill-connection")).toEqual({
      type: "help",
      command: "mysql-kill-connection",
    });
  });

  it.each([
    ["a b", /"b" is not param=value/],
    ["a =x", /"=x" is not param=value/],
    ["a x=1 x=2", /x is given twice/],
    ['a x="open', /quote is not closed/],
    ["a x=1\nrm -rf /", /one line/],
    ["$(id)", /not a command name/],
    ["a __proto__=1", /not a parameter name/],
  ])("refuses %j saying how to write it", (text, message) => {
    expect(errorOf(() => parseRunCommand(text))).toMatch(message);
  });
});

describe("typed parameters", () => {
  const spec = (s: Partial<ParameterSpec> & Pick<ParameterSpec, "type">) =>
    ({ name: "p", description: "d", ...s }) as ParameterSpec;

  it("parses integers within bounds, and nothing else", () => {
    const int = spec({ type: "integer", min: -5, max: 100 });
    expect(parseParamValue(int, "42", [])).toBe(42);
    expect(parseParamValue(int, "-5", [])).toBe(-5);
    for (const bad of ["4.2", "0x10", "1e3", " 1", "101", "", "１"])
      expect(() => parseParamValue(int, bad, [])).toThrow(/p: /);
  });

  it("parses durations within bounds into seconds or milliseconds", () => {
    const d = spec({ type: "duration", minMs: 1_000, maxMs: 3_600_000, unit: "seconds" });
    expect(parseParamValue(d, "1m30s", [])).toBe(90);
    expect(parseParamValue({ ...d, unit: "milliseconds" } as ParameterSpec, "2s", [])).toBe(2_000);
    expect(errorOf(() => parseParamValue(d, "2h", []))).toMatch(/out of bounds: use 1s–1h/);
    expect(errorOf(() => parseParamValue(d, "5 minutes", []))).toMatch(/not a duration/);
  });

  it("matches enums exactly or case-insensitively, returning the listed spelling", () => {
    const e = spec({ type: "enum", values: ["Query", "Sleep"] });
    expect(parseParamValue(e, "sleep", [])).toBe("Sleep");
    expect(errorOf(() => parseParamValue(e, "Quеry", []))).toMatch(/not one of Query, Sleep/);
  });

  it("matches strings against the whole pattern, refusing look-alikes and invisible characters", () => {
    const s = spec({ type: "string", pattern: "[a-z-]+", maxLength: 10 });
    expect(parseParamValue(s, "max-memory", [])).toBe("max-memory");
    expect(errorOf(() => parseParamValue(s, "abc;rm", []))).toMatch(/does not match the allowed form/);
    expect(errorOf(() => parseParamValue(s, "mаxmemory", []))).toMatch(/does not match/); // Cyrillic а
    expect(errorOf(() => parseParamValue(s, "ab\u200bc", []))).toMatch(/invisible/);
    expect(errorOf(() => parseParamValue(s, "abcdefghijk", []))).toMatch(/at most 10/);
    const wide = spec({ type: "string", pattern: "\\p{L}+", maxLength: 10 });
    expect(errorOf(() => parseParamValue(wide, "ＡＢ", []))).toMatch(/does not match/); // fullwidth: not NFKC-stable
  });

  it("accepts only configured targets, naming them", () => {
    const t = spec({ type: "target" });
    expect(parseParamValue(t, "orders", ["orders", "billing"])).toBe("orders");
    expect(errorOf(() => parseParamValue(t, "prod", ["orders", "billing"]))).toMatch(
      /use one of orders, billing/,
    );
    expect(errorOf(() => parseParamValue(t, "prod", []))).toMatch(/no target of this type is configured/);
  });
});

describe("resolving a command's parameters", () => {
  it("fills defaults, takes the only target, and refuses fixed, unknown and missing ones", () => {
    expect(resolveParams(command, { id: "7" }, ["orders"])).toEqual({ target: "orders", rows: 10, id: 7 });
    expect(errorOf(() => resolveParams(command, { id: "7" }, ["a", "b"]))).toMatch(
      /target is required: .*one of a, b/,
    );
    expect(errorOf(() => resolveParams(command, { id: "7", limit: "1" }, ["a"]))).toMatch(
      /limit is fixed by the catalog/,
    );
    expect(errorOf(() => resolveParams(command, { id: "7", shell: "sh" }, ["a"]))).toMatch(
      /probe has no parameter shell; it takes target, rows, id/,
    );
    expect(errorOf(() => resolveParams(command, {}, ["a"]))).toMatch(/id is required/);
  });

  it("leaves out the arguments of an optional parameter that was not given", () => {
    const optional: CatalogCommand = {
      ...command,
      parameters: [
        {
          name: "selector",
          type: "string",
          description: "s",
          pattern: "[a-z=]+",
          maxLength: 20,
          optional: true,
        },
      ],
    };
    expect(resolveParams(optional, {}, [])).toEqual({});
    expect(substituteArgs({ namespace: "x", labelSelector: "{{selector}}" }, {})).toEqual({ namespace: "x" });
    expect(substituteArgs({ labelSelector: "{{selector}}" }, { selector: "app=web" })).toEqual({
      labelSelector: "app=web",
    });
  });

  it("substitutes typed values only for whole {{name}} strings", () => {
    const values = { ...command.fixed, ...resolveParams(command, { id: "7", rows: "3" }, ["orders"]) };
    expect(substituteArgs(command.steps[0]!.args, values)).toEqual({
      limit: 3,
      minTimeSeconds: 25,
      commands: ["Query"],
    });
    expect(substituteArgs({ a: "x {{rows}}" }, values)).toEqual({ a: "x {{rows}}" });
    expect(commandTarget(command, values)).toBe("orders");
  });
});
