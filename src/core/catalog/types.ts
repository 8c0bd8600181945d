import type { Role } from "../incident/roles.js";
import type { Severity } from "../incident/severity.js";

/** A value a parameter takes once parsed: what a step argument receives. */
export type ParamValue = string | number;

interface ParameterBase {
  readonly name: string;
  readonly description: string;
  /** Used when the user gives none; a parameter without one is required unless optional. */
  readonly default?: ParamValue;
  /** Without a default: when not given, the step arguments naming it are left out. */
  readonly optional?: boolean;
}

/**
 * A typed parameter of a catalog command. Values are parsed from what a user typed and
 * handed to actions as typed values, never spliced into text.
 */
export type ParameterSpec =
  | (ParameterBase & { readonly type: "string"; readonly pattern: string; readonly maxLength: number })
  | (ParameterBase & { readonly type: "enum"; readonly values: readonly string[] })
  | (ParameterBase & { readonly type: "integer"; readonly min: number; readonly max: number })
  | (ParameterBase & {
      readonly type: "duration";
      readonly minMs: number;
      readonly maxMs: number;
      /** What the step receives: whole seconds (default) or milliseconds. */
      readonly unit: "seconds" | "milliseconds";
    })
  /** One of the configured targets of the command's target type. */
  | (ParameterBase & { readonly type: "target" });

/** Who may request a command: workspace roles, or anyone. */
export type Requester = Role | "anyone";

/** Guardrails of a remediation pre-approved for alert incidents. */
export interface AutoApprovePolicy {
  readonly maxPerHour: number;
  readonly cooldownMs: number;
}

/** Where, by whom and how often a command may run. */
export interface CommandPolicy {
  readonly requesters: readonly Requester[];
  /** Approvals a remediation needs (0 for diagnostics) and the roles that may give them. */
  readonly approvals: { readonly count: number; readonly roles: readonly Role[] };
  /** Incident severities where it may run (in incident channels); every severity when absent. */
  readonly severities?: readonly Severity[];
  /** `incident`: only in incident channels (always so for remediations); `any`: anywhere. */
  readonly channels: "incident" | "any";
  readonly cooldownMs: number;
  /** One run per target at a time. */
  readonly exclusive: boolean;
  readonly timeoutMs: number;
  readonly approvalExpiryMs: number;
  readonly autoApproveForAlerts?: AutoApprovePolicy;
}

/** One step: a built-in action and its arguments (`{{param}}` strings are replaced by typed values). */
export interface CommandStep {
  readonly action: string;
  readonly args: Readonly<Record<string, unknown>>;
}

/** One approved command of the catalog (a `commands/*.yaml` file). */
export interface CatalogCommand {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly kind: "diagnostic" | "remediation";
  readonly targetType: string;
  /** A configured target name, or `{{param}}` naming a `target` parameter. */
  readonly target: string;
  readonly parameters: readonly ParameterSpec[];
  /** Values the user cannot override, usable in steps like parameters. */
  readonly fixed: Readonly<Record<string, ParamValue>>;
  readonly steps: readonly CommandStep[];
  readonly policy: CommandPolicy;
  /** Where it came from, for error messages. */
  readonly file: string;
}

/** The whole catalog by command name. */
export interface Catalog {
  readonly commands: ReadonlyMap<string, CatalogCommand>;
}
