import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { FirebreakError } from "../core/errors.js";
import { parseParamValue, placeholders, substituteArgs } from "../core/catalog/parameters.js";
import { DEFAULT_APPROVAL_EXPIRY_MS } from "../core/catalog/policy.js";
import type { Catalog, CatalogCommand, ParamValue, ParameterSpec } from "../core/catalog/types.js";
import { targetNames } from "../config-schema/targets.js";
import type { ResolvedTargets } from "../config-schema/targets.js";
import type { ActionRegistry } from "./action-registry.js";
import { commandFileSchema } from "./schema.js";
import type { CommandFile, ParameterFile } from "./schema.js";

/** Formats a zod issue path as `steps[0].args.limit`. */
export function issuePath(p: readonly PropertyKey[]): string {
  return p.length
    ? p
        .map((k) => (typeof k === "number" ? `[${k}]` : `.${String(k)}`))
        .join("")
        .replace(/^\./, "")
    : "(top level)";
}

/**
 * Loads and validates every `*.yaml` in the catalog folder against the built-in actions and
 * the configured targets. The first problem stops start-up with file, field and fix.
 */
export function loadCatalog(
  dir: string,
  opts: { targets: ResolvedTargets; actions: ActionRegistry },
): Catalog {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
      .sort();
  } catch (err) {
    throw new FirebreakError(
      "config_invalid",
      `FIREBREAK_COMMANDS_DIR: cannot read ${dir} (${(err as NodeJS.ErrnoException).code ?? "error"}): point it at the catalog folder (commands/).`,
      { cause: err },
    );
  }
  const commands = new Map<string, CatalogCommand>();
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), "utf8");
    const command = parseCommandFile(text, file, opts);
    const clash = commands.get(command.name);
    if (clash)
      throw new FirebreakError(
        "config_invalid",
        `${file}: name: "${command.name}" is also the name of ${clash.file}; every command needs its own name.`,
      );
    commands.set(command.name, command);
  }
  return { commands };
}

/** Parses and checks one command file; throws config_invalid naming file, field and fix. */
export function parseCommandFile(
  text: string,
  file: string,
  opts: { targets: ResolvedTargets; actions: ActionRegistry },
): CatalogCommand {
  const fail = (field: string, message: string): never => {
    throw new FirebreakError("config_invalid", `${file}: ${field}: ${message}`);
  };
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return fail("(file)", `not valid YAML (${(err as Error).message.split("\n")[0]}); fix the syntax.`);
  }
  const parsed = commandFileSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return fail(issuePath(issue.path), `${issue.message}.`);
  }
  const c: CommandFile = parsed.data;
  const stem = path.basename(file).replace(/\.ya?ml$/, "");
  if (stem !== c.name)
    fail("name", `"${c.name}" differs from the file name; rename the file to ${c.name}.yaml.`);
  const targets = targetNames(opts.targets, c.target_type);

  const parameters: ParameterSpec[] = [];
  c.parameters.forEach((p, i) => {
    if (parameters.some((q) => q.name === p.name))
      fail(`parameters[${i}].name`, `${p.name} is listed twice; give each parameter once.`);
    parameters.push(toSpec(p, `parameters[${i}]`, targets, fail));
  });
  for (const name of Object.keys(c.fixed))
    if (parameters.some((p) => p.name === name))
      fail(`fixed.${name}`, `${name} is also a parameter; a value is either fixed or a parameter, not both.`);

  const ref = /^\{\{([a-z][a-z0-9_]*)\}\}$/.exec(c.target);
  if (ref) {
    const p = parameters.find((q) => q.name === ref[1]);
    if (p?.type !== "target")
      fail(
        "target",
        `{{${ref[1]}}} must name a parameter of type target; add one or name a configured target.`,
      );
  } else if (!targets.includes(c.target)) {
    fail(
      "target",
      `"${c.target}" is not a configured ${c.target_type} target; add it under targets.${c.target_type} in firebreak.yaml, or use a parameter of type target.`,
    );
  }

  const known = [...opts.actions.keys()].sort();
  let remediationSteps = 0;
  c.steps.forEach((s, i) => {
    const action = opts.actions.get(s.action);
    if (!action)
      return fail(
        `steps[${i}].action`,
        `"${s.action}" is not a built-in action; use one of ${known.filter((k) => k.startsWith(c.target_type === "kubernetes" ? "k8s." : c.target_type === "http" ? "" : `${c.target_type}.`)).join(", ") || known.join(", ")}.`,
      );
    if (action.targetType !== c.target_type && action.targetType !== "none")
      fail(
        `steps[${i}].action`,
        `${s.action} reaches ${action.targetType} targets, but this command's target_type is ${c.target_type}.`,
      );
    if (action.kind === "remediation") remediationSteps++;
    if (action.kind === "remediation" && c.kind === "diagnostic")
      fail(
        `steps[${i}].action`,
        `${s.action} changes things; a diagnostic may only read. Make the command kind: remediation.`,
      );
    checkArgs(s.args, `steps[${i}].args`, parameters, c.fixed, fail);
    const sample = sampleValues(parameters, c.fixed);
    const result = action.argsSchema.safeParse(substituteArgs(s.args, sample.values));
    if (!result.success) {
      const issue = result.error.issues.find((iss) => !sample.unknownKeys.has(keyOf(s.args, iss)));
      if (issue)
        fail(
          issue.path.length ? `steps[${i}].args.${issuePath(issue.path)}` : `steps[${i}].args`,
          `${issue.message} (for ${s.action}: ${action.description}).`,
        );
    }
  });
  if (c.kind === "remediation" && remediationSteps === 0)
    fail(
      "steps",
      "a remediation needs at least one step with a remediation action; or make it kind: diagnostic.",
    );

  const p = c.policy;
  if (c.kind === "remediation") {
    if (!p.approvals)
      fail(
        "policy.approvals",
        "a remediation needs approvals, e.g. { count: 1, roles: [commander, admin] }.",
      );
    if (p.channels === "any")
      fail(
        "policy.channels",
        "remediations run only in incident channels; remove channels or set it to incident.",
      );
  } else {
    if (p.approvals)
      fail("policy.approvals", "diagnostics run at once; remove approvals, or make it kind: remediation.");
    if (p.auto_approve_for_alerts)
      fail("policy.auto_approve_for_alerts", "only remediations are approved; remove it from a diagnostic.");
  }
  return {
    name: c.name,
    title: c.title,
    description: c.description,
    kind: c.kind,
    targetType: c.target_type,
    target: c.target,
    parameters,
    fixed: c.fixed,
    steps: c.steps.map((s) => ({ action: s.action, args: s.args })),
    policy: {
      requesters: p.request,
      approvals: p.approvals
        ? { count: p.approvals.count, roles: p.approvals.roles }
        : { count: 0, roles: [] },
      ...(p.severities ? { severities: p.severities } : {}),
      channels: c.kind === "remediation" ? "incident" : (p.channels ?? "any"),
      cooldownMs: p.cooldown,
      exclusive: p.exclusive ?? c.kind === "remediation",
      timeoutMs: p.timeout,
      approvalExpiryMs: p.approval_expiry ?? DEFAULT_APPROVAL_EXPIRY_MS,
      ...(p.auto_approve_for_alerts
        ? {
            autoApproveForAlerts: {
              maxPerHour: p.auto_approve_for_alerts.max_per_hour,
              cooldownMs: p.auto_approve_for_alerts.cooldown,
            },
          }
        : {}),
    },
    file,
  };
}

function toSpec(
  p: ParameterFile,
  at: string,
  targets: readonly string[],
  fail: (field: string, message: string) => never,
): ParameterSpec {
  const base = { name: p.name, description: p.description, ...(p.optional ? { optional: true } : {}) };
  let spec: ParameterSpec;
  switch (p.type) {
    case "string":
      spec = { ...base, type: "string", pattern: p.pattern, maxLength: p.max_length };
      break;
    case "enum":
      spec = { ...base, type: "enum", values: p.values };
      break;
    case "integer":
      if (p.min > p.max) fail(`${at}.min`, `min ${p.min} is above max ${p.max}.`);
      spec = { ...base, type: "integer", min: p.min, max: p.max };
      break;
    case "duration":
      if (p.min > p.max) fail(`${at}.min`, "min is above max.");
      spec = { ...base, type: "duration", minMs: p.min, maxMs: p.max, unit: p.unit };
      break;
    case "target":
      spec = { ...base, type: "target" };
      break;
  }
  if (p.default === undefined) return spec;
  // A target default must be configured only when the command is used: configs differ per install.
  if (spec.type === "target") return { ...spec, default: String(p.default) };
  try {
    return { ...spec, default: parseParamValue(spec, String(p.default), targets) };
  } catch (err) {
    return fail(`${at}.default`, `${(err as Error).message} Fix the default.`);
  }
}

/** Every `{{…}}` must be a whole string naming a parameter or fixed value. */
function checkArgs(
  args: unknown,
  at: string,
  parameters: readonly ParameterSpec[],
  fixed: Readonly<Record<string, ParamValue>>,
  fail: (field: string, message: string) => never,
): void {
  const walk = (v: unknown, where: string) => {
    if (typeof v === "string") {
      if (v.includes("{{") && placeholders(v).length === 0)
        fail(
          where,
          `"${v}": a parameter is a whole value like "{{name}}"; values are never spliced into text.`,
        );
      for (const name of placeholders(v))
        if (!parameters.some((p) => p.name === name) && !Object.hasOwn(fixed, name))
          fail(where, `{{${name}}} names no parameter or fixed value; declare it under parameters or fixed.`);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${where}[${i}]`));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${where}.${k}`);
  };
  walk(args, at);
}

/** Representative values to check step arguments with at load time. */
function sampleValues(
  parameters: readonly ParameterSpec[],
  fixed: Readonly<Record<string, ParamValue>>,
): { values: Record<string, ParamValue>; unknownKeys: Set<string> } {
  const values: Record<string, ParamValue> = { ...fixed };
  const unknownKeys = new Set<string>();
  for (const p of parameters) {
    if (p.default !== undefined && p.type !== "target") values[p.name] = p.default;
    else if (p.type === "enum") values[p.name] = p.values[0]!;
    else if (p.type === "integer") values[p.name] = p.min;
    else if (p.type === "duration")
      values[p.name] = p.unit === "seconds" ? Math.round(p.minMs / 1000) : p.minMs;
    else {
      values[p.name] = "";
      unknownKeys.add(p.name);
    }
  }
  return { values, unknownKeys };
}

/** The parameter behind the top-level argument an issue is about, if that argument is `{{param}}`. */
function keyOf(args: Readonly<Record<string, unknown>>, issue: z.core.$ZodIssue): string {
  const top = issue.path[0];
  const v = typeof top === "string" ? args[top] : undefined;
  return typeof v === "string" ? (placeholders(v)[0] ?? "") : "";
}
