import { FirebreakError } from "../core/errors.js";
import { commandTarget, resolveParams } from "../core/catalog/parameters.js";
import type { Catalog, CatalogCommand } from "../core/catalog/types.js";
import { describeRouteMatch } from "../core/alerts/routing.js";
import type { AlertRoute, RouteCommand } from "../core/alerts/routing.js";
import { findTarget, targetNames } from "../config-schema/targets.js";
import type { ResolvedTargets } from "../config-schema/targets.js";
import type { ActionRegistry } from "./action-registry.js";
import { preflightSteps } from "./preflight.js";

/** `alerts.routes[2] (alertname=RedisMemoryHigh)`: how a refusal names the route. */
export function routeLabel(route: Pick<AlertRoute, "matchers">, index: number): string {
  const match = Object.entries(describeRouteMatch(route))
    .map(([name, spec]) => (/^(!=|=~|!~)/.test(spec) ? `${name}${spec}` : `${name}=${spec}`))
    .join(", ");
  return `alerts.routes[${index}] (${match || "every group"})`;
}

/**
 * What is wrong with the catalog commands the alert routes name, one line per problem
 * naming the route, the field and the fix: an `auto_diagnostics` entry that is unknown, a
 * remediation, or whose parameters do not fit; a `self_heal` command that is unknown, not a
 * remediation, not marked `auto_approve_for_alerts`, or whose `params` do not validate
 * against the command's parameter types, its target and its actions. Empty when all is well.
 * The config and the catalog are loaded separately, so this runs once both are
 * (`loadCatalogSetup`: start-up and `firebreak check-config`).
 */
export function routeCommandProblems(
  routes: readonly AlertRoute[],
  catalog: Catalog,
  deps: { targets: ResolvedTargets; actions: ActionRegistry },
  source = "firebreak.yaml",
): string[] {
  const problems: string[] = [];
  routes.forEach((route, index) => {
    const at = (field: string) => `${source}: ${routeLabel(route, index)}.${field}`;
    route.autoDiagnostics.forEach((d, i) => {
      const field = `auto_diagnostics[${i}]`;
      const command = catalog.commands.get(d.command);
      if (!command) return problems.push(`${at(field)}: ${unknownCommand(d.command, catalog, "diagnostic")}`);
      if (command.kind !== "diagnostic")
        return problems.push(
          `${at(field)}: "${d.command}" is a remediation; auto_diagnostics runs only diagnostics (read-only). Name it under self_heal (its policy needs auto_approve_for_alerts), or remove it.`,
        );
      const bad = paramsProblem(command, d, deps);
      if (bad) problems.push(`${at(`${field}.params${bad.param ? `.${bad.param}` : ""}`)}: ${bad.message}`);
    });
    const heal = route.selfHeal;
    if (!heal) return;
    const command = catalog.commands.get(heal.command);
    if (!command)
      return problems.push(
        `${at("self_heal.command")}: ${unknownCommand(heal.command, catalog, "remediation")}`,
      );
    if (command.kind !== "remediation")
      return problems.push(
        `${at("self_heal.command")}: "${heal.command}" is a diagnostic; self_heal runs a remediation. List it under auto_diagnostics, or name a remediation.`,
      );
    if (!command.policy.autoApproveForAlerts)
      return problems.push(
        `${at("self_heal.command")}: ${heal.command} is not pre-approved for alerts; add auto_approve_for_alerts: { max_per_hour: 2, cooldown: 10m } to the policy in ${command.file} (the guardrails it runs under), or remove self_heal.`,
      );
    const bad = paramsProblem(command, heal, deps);
    if (bad) problems.push(`${at(`self_heal.params${bad.param ? `.${bad.param}` : ""}`)}: ${bad.message}`);
  });
  return problems;
}

function unknownCommand(name: string, catalog: Catalog, kind: "diagnostic" | "remediation"): string {
  const same = [...catalog.commands.values()]
    .filter((c) => c.kind === kind && (kind === "diagnostic" || c.policy.autoApproveForAlerts))
    .map((c) => c.name)
    .sort();
  return `"${name}" is not a command of the catalog; fix the name${
    same.length
      ? ` (${kind}s${kind === "remediation" ? " pre-approved for alerts" : ""}: ${same.join(", ")})`
      : ""
  } or add commands/${name}.yaml.`;
}

/** Whether a route's parameters validate for `command`; the parameter at fault when one is. */
function paramsProblem(
  command: CatalogCommand,
  given: RouteCommand,
  deps: { targets: ResolvedTargets; actions: ActionRegistry },
): { param?: string; message: string } | null {
  const names = targetNames(deps.targets, command.targetType);
  for (const spec of command.parameters) {
    const missing =
      given.params[spec.name] === undefined &&
      spec.default === undefined &&
      !spec.optional &&
      !(spec.type === "target" && names.length === 1);
    if (missing && spec.type === "target" && names.length === 0)
      return {
        param: spec.name,
        message: `${command.name} reaches ${command.targetType} targets and none is configured; add one under targets.${command.targetType} in firebreak.yaml, or remove it from the route.`,
      };
    if (missing)
      return {
        param: spec.name,
        message: `${command.name} needs ${spec.name} (${spec.description}${
          spec.type === "target" && names.length ? `: one of ${names.join(", ")}` : ""
        }) and it has no default; add it, e.g. { command: ${command.name}, params: { ${spec.name}: … } }.`,
      };
  }
  let target: string;
  try {
    const params = resolveParams(command, given.params, names);
    target = commandTarget(command, params);
    if (findTarget(deps.targets, command.targetType, target) === undefined)
      return {
        message: `${command.targetType} target ${target} is not configured; add it under targets.${command.targetType} or fix the name.`,
      };
    const unfit = preflightSteps(deps, command, params, target);
    return unfit ? { message: `${unfit} Fix the parameters in the route.` } : null;
  } catch (err) {
    if (!(err instanceof FirebreakError) || err.code !== "input_invalid") throw err;
    const param = typeof err.details.param === "string" ? err.details.param : undefined;
    const message =
      param && err.message.startsWith(`${param}: `) ? err.message.slice(param.length + 2) : err.message;
    return { ...(param ? { param } : {}), message: `${message} Fix it in the route.` };
  }
}
