import type { ActionContext, ActionDefinition } from "../actions/types.js";
import { FirebreakError, asFirebreakError } from "../core/errors.js";
import { substituteArgs } from "../core/catalog/parameters.js";
import type { CatalogCommand } from "../core/catalog/types.js";
import { findTarget } from "../config-schema/targets.js";
import type { RunDeps } from "./deps.js";
import type { Run } from "../store/runs/runs.js";

/** One step of a run, resolved: its action, typed arguments and context. */
export interface ResolvedStep {
  index: number;
  action: ActionDefinition<unknown, unknown>;
  args: unknown;
  ctx: ActionContext<unknown>;
}

/**
 * The steps of a run with their arguments substituted and parsed by each action's own
 * schema (with the preview's `expect` handed back, so the action re-checks what the
 * approver saw). The catalog or config may have changed since the request: anything
 * that no longer fits is an error, never a guess.
 */
export function resolveSteps(
  deps: RunDeps,
  run: Run,
  signal: AbortSignal,
  opts: { withExpect: boolean },
): { command: CatalogCommand; steps: ResolvedStep[] } {
  const command = deps.catalog.commands.get(run.command);
  if (!command)
    throw new FirebreakError("not_found", `${run.command} is no longer in the catalog; nothing ran.`);
  const target = findTarget(deps.targets, run.targetType, run.target);
  if (target === undefined)
    throw new FirebreakError(
      "not_found",
      `${run.targetType} target ${run.target} is no longer configured; nothing ran.`,
    );
  const values = { ...command.fixed, ...run.params };
  const log = deps.log.child({ run: run.id, command: run.command, target: run.target });
  const steps = command.steps.map((step, index): ResolvedStep => {
    const action = deps.actions.get(step.action);
    if (!action) throw new FirebreakError("not_found", `Action ${step.action} is not built in; nothing ran.`);
    const raw = substituteArgs(step.args, values) as Record<string, unknown>;
    const expect = opts.withExpect ? run.preview?.expect[String(index)] : undefined;
    const parsed = action.argsSchema.safeParse(expect ? { ...raw, expect } : raw);
    if (!parsed.success)
      throw new FirebreakError(
        "input_invalid",
        `${step.action}: ${parsed.error.issues[0]?.message ?? "invalid arguments"}; nothing ran.`,
      );
    return { index, action, args: parsed.data, ctx: { target, signal, log, now: () => deps.clock.now() } };
  });
  return { command, steps };
}

/** An error as a message safe to show: redacted, and ours when it is one of ours. */
export function errorMessage(deps: RunDeps, err: unknown): string {
  const fe = asFirebreakError(err, "action_failed");
  return deps.redactor.text(fe.message || fe.code);
}
