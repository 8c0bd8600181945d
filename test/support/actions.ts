import pino from "pino";
import { expect } from "vitest";
import type { ActionContext, ActionDefinition } from "../../src/actions/types.js";
import { FirebreakError } from "../../src/core/errors.js";

/** What an action gets from the runner: the target, a live signal, a silent logger, real time. */
export function actionContext<T>(target: T): ActionContext<T> {
  return {
    target,
    signal: new AbortController().signal,
    log: pino({ level: "silent" }),
    now: () => new Date(),
  };
}

/** Parses the arguments as the catalog does, then runs the action. */
export async function runAction<A, T>(action: ActionDefinition<A, T>, target: T, args: unknown) {
  return action.run(actionContext(target), action.argsSchema.parse(args));
}

/** Parses the arguments as the catalog does, then previews the remediation. */
export async function previewAction<A, T>(action: ActionDefinition<A, T>, target: T, args: unknown) {
  if (!action.preview) throw new Error(`${action.name} has no preview`);
  return action.preview(actionContext(target), action.argsSchema.parse(args));
}

/** The FirebreakError a promise rejects with (fails the test if it resolves or throws something else). */
export async function rejection(promise: Promise<unknown>): Promise<FirebreakError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FirebreakError);
  return err as FirebreakError;
}
