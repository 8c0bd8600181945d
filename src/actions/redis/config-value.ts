import { FirebreakError } from "../../core/errors.js";
import { MEMORY_PARAMETERS } from "./config-parameters.js";
import type { RedisTarget } from "./target.js";

const UNITS: Record<string, number> = {
  "": 1,
  k: 1_000,
  kb: 1_024,
  m: 1_000_000,
  mb: 1_024 ** 2,
  g: 1_000_000_000,
  gb: 1_024 ** 3,
};

/** Redis's memory notation (`104857600`, `100mb`, `1gb`, `500k`) in bytes, or undefined when it is not one. */
export function parseRedisMemory(text: string): number | undefined {
  const match = /^([0-9]{1,16})(k|kb|m|mb|g|gb)?$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? "").toLowerCase()] ?? Number.NaN);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Checks `raw` against `target.allowConfig[parameter]` and returns the value to send, with
 * memory sizes normalised to bytes. Refused when the parameter is not allowlisted, an enum
 * value is not listed, or a number is out of bounds.
 */
export function allowedConfigValue(target: RedisTarget, parameter: string, raw: string | number): string {
  const rule = allowedRule(target, parameter);
  const text = String(raw).trim();
  const listed = rule.values?.find((v) => v.toLowerCase() === text.toLowerCase());
  if (listed !== undefined) return listed;

  const numeric = rule.values === undefined || rule.min !== undefined || rule.max !== undefined;
  if (!numeric)
    throw invalid(
      `${parameter} accepts only ${rule.values?.map(show).join(", ")} on ${target.name} (got ${show(text)}).`,
    );
  const memory = MEMORY_PARAMETERS.has(parameter);
  const value =
    typeof raw === "number"
      ? raw
      : memory
        ? parseRedisMemory(text)
        : /^-?[0-9]{1,16}$/.test(text)
          ? Number(text)
          : undefined;
  if (value === undefined || !Number.isSafeInteger(value)) {
    const form = memory ? "a size in bytes or like 100mb / 1gb" : "a whole number";
    throw invalid(`${parameter} expects ${form} (got ${show(text)}).`);
  }
  if (rule.min !== undefined && value < rule.min) {
    throw invalid(`${value} is below the minimum ${rule.min} allowed for ${parameter} on ${target.name}.`);
  }
  if (rule.max !== undefined && value > rule.max) {
    throw invalid(`${value} is above the maximum ${rule.max} allowed for ${parameter} on ${target.name}.`);
  }
  return String(value);
}

/** The target's rule for a parameter; forbidden when there is none. */
export function allowedRule(target: RedisTarget, parameter: string) {
  const key = Object.keys(target.allowConfig).find((k) => k.toLowerCase() === parameter);
  const rule = key === undefined ? undefined : target.allowConfig[key];
  if (!rule) {
    throw new FirebreakError(
      "forbidden",
      `${parameter} is not in the allowConfig of Redis target ${target.name}; add it there (with bounds) to use it from Firebreak.`,
      { details: { target: target.name, parameter } },
    );
  }
  return rule;
}

function show(text: string): string {
  return text === "" ? '""' : text;
}

function invalid(message: string): FirebreakError {
  return new FirebreakError("input_invalid", message);
}
