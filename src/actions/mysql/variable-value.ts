import { FirebreakError } from "../../core/errors.js";
import type { MysqlTarget } from "./target.js";

/** A value that passed the target's rule, ready to bind. */
export interface AllowedValue {
  /** Bound as the statement's only parameter. */
  readonly bind: string | number;
  /** How the placeholder is written: MySQL refuses a bare double-typed parameter for integer variables. */
  readonly placeholder: "?" | "CAST(? AS SIGNED)" | "CAST(? AS DECIMAL(30,6))";
  readonly display: string;
}

/**
 * Checks `raw` against the rule `target.allowVariables[name]`: refused when the variable
 * is not allowlisted, when an enum value is not listed, or when a number is out of bounds.
 */
export function allowedVariableValue(target: MysqlTarget, name: string, raw: string | number): AllowedValue {
  const key = Object.keys(target.allowVariables).find((k) => k.toLowerCase() === name.toLowerCase());
  const rule = key === undefined ? undefined : target.allowVariables[key];
  if (!rule) {
    throw new FirebreakError(
      "forbidden",
      `${name} is not in the allowVariables of MySQL target ${target.name}; add it there (with bounds) to change it from Firebreak.`,
      { details: { target: target.name, variable: name } },
    );
  }
  const text = String(raw);
  const listed = rule.values?.find((v) => v.toLowerCase() === text.toLowerCase());
  if (listed !== undefined) return { bind: listed, placeholder: "?", display: listed };

  const numeric = rule.values === undefined || rule.min !== undefined || rule.max !== undefined;
  if (!numeric) {
    throw invalid(`${name} accepts only ${rule.values?.join(", ")} on ${target.name} (got ${text}).`);
  }
  const value = typeof raw === "number" ? raw : /^-?[0-9]+(\.[0-9]+)?$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) {
    const alternatives = rule.values ? ` or one of ${rule.values.join(", ")}` : "";
    throw invalid(`${name} expects a number${alternatives} (got ${text}).`);
  }
  if (rule.min !== undefined && value < rule.min) {
    throw invalid(`${value} is below the minimum ${rule.min} allowed for ${name} on ${target.name}.`);
  }
  if (rule.max !== undefined && value > rule.max) {
    throw invalid(`${value} is above the maximum ${rule.max} allowed for ${name} on ${target.name}.`);
  }
  if (Number.isInteger(value)) {
    if (!Number.isSafeInteger(value)) throw invalid(`${value} is too large for ${name}.`);
    return { bind: value, placeholder: "CAST(? AS SIGNED)", display: String(value) };
  }
  return { bind: value, placeholder: "CAST(? AS DECIMAL(30,6))", display: String(value) };
}

function invalid(message: string): FirebreakError {
  return new FirebreakError("input_invalid", message);
}
