import { asFirebreakError } from "../core/errors.js";
import { substituteArgs } from "../core/catalog/parameters.js";
import type { CatalogCommand, ParamValue } from "../core/catalog/types.js";
import { findTarget } from "../config-schema/targets.js";
import type { ResolvedTargets } from "../config-schema/targets.js";
import type { ActionRegistry } from "./action-registry.js";

/**
 * Checks a command's steps with these parameters before anything starts: each step's
 * arguments parse with its action's schema, and fit the target (allowed hosts, namespaces,
 * bounds). Returns the refusal to tell, or null. Used for requests and for the commands
 * alert routes name (at start-up); a run checks all of it again when it starts.
 */
export function preflightSteps(
  deps: { actions: ActionRegistry; targets: ResolvedTargets },
  command: CatalogCommand,
  params: Readonly<Record<string, ParamValue>>,
  targetName: string,
): string | null {
  const target = findTarget(deps.targets, command.targetType, targetName);
  const values = { ...command.fixed, ...params };
  for (const step of command.steps) {
    const action = deps.actions.get(step.action);
    if (!action) return `Action ${step.action} is not built in.`;
    const parsed = action.argsSchema.safeParse(substituteArgs(step.args, values));
    if (!parsed.success) return `${step.action}: ${parsed.error.issues[0]?.message ?? "invalid arguments"}.`;
    try {
      if (target !== undefined) action.check?.(target, parsed.data);
    } catch (err) {
      return asFirebreakError(err, "input_invalid").message;
    }
  }
  return null;
}
