import type { Logger } from "pino";
import type { z } from "zod";

/**
 * A built-in action: the only way a catalog command touches a system. Arguments arrive
 * already typed and validated by `argsSchema`; an action never builds a shell command,
 * and never interpolates a value into SQL or a URL except as a bound parameter or an
 * encoded path segment.
 */
export interface ActionDefinition<Args = unknown, Target = unknown> {
  /** Namespaced id used in `commands/*.yaml` steps, e.g. `k8s.pods`, `mysql.kill`. */
  readonly name: string;
  readonly kind: "diagnostic" | "remediation";
  /** Which configured target type it reaches. */
  readonly targetType: TargetType;
  readonly description: string;
  readonly argsSchema: z.ZodType<Args>;
  /**
   * Checks the arguments against the target without reaching it (an allowed host, an
   * allowed namespace, bounds): run when the request is made, so a refusal is told to the
   * requester before anything starts. Throws a FirebreakError; the run checks again.
   */
  check?(target: Target, args: Args): void;
  /**
   * Remediations only: read current state and describe exactly what would change,
   * e.g. `deployment ecommerce/app replicas 3 → 5`. Must not change anything.
   */
  preview?(ctx: ActionContext<Target>, args: Args): Promise<ActionPreview>;
  run(ctx: ActionContext<Target>, args: Args): Promise<ActionOutput>;
}

export type TargetType = "kubernetes" | "mysql" | "redis" | "postgres" | "http" | "prometheus" | "none";

export interface ActionContext<Target = unknown> {
  /** The configured target, resolved (secrets included; never log it whole). */
  readonly target: Target;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly now: () => Date;
}

export interface ActionPreview {
  /** One line per change, human-readable: `deployment ecommerce/app replicas 3 → 5`. */
  readonly changes: string[];
  /** Rows shown in the approval message (for example the process-list row to kill). */
  readonly table?: Table;
  /** Facts the run re-checks before changing anything (state may move between preview and approval). */
  readonly expect?: Record<string, unknown>;
}

export interface ActionOutput {
  /** One short line for the channel and the timeline. */
  readonly summary: string;
  readonly table?: Table;
  /** Free text (logs, raw output); uploaded as a file when long. */
  readonly text?: string;
  /** `ok` unless the action observed something wrong (a failing health check, say). */
  readonly status?: "ok" | "warning" | "error";
}

export interface Table {
  readonly columns: string[];
  readonly rows: (string | number | boolean | null)[][];
}
