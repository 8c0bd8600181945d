import { parseDuration } from "../duration.js";
import { FirebreakError, inputInvalid } from "../errors.js";
import { escapeMrkdwn } from "../mrkdwn.js";
import type { CatalogCommand, ParamValue, ParameterSpec } from "./types.js";

// Control characters, bidi overrides, zero-width characters and line separators: never part of a value.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2060-\u2064\ufeff]/;

/**
 * Parses one raw value against its spec. Strings must match the whole pattern (and are
 * ASCII unless the pattern says otherwise, which keeps look-alike letters out), enums are
 * matched exactly or case-insensitively to their listed spelling, integers are decimal
 * digits within bounds, durations use 90s/15m/1h forms within bounds, targets are names
 * configured for the command's type.
 */
export function parseParamValue(spec: ParameterSpec, raw: string, targets: readonly string[]): ParamValue {
  const fail = (why: string) => inputInvalid(`${spec.name}: ${why}`, { param: spec.name });
  if (INVISIBLE.test(raw)) throw fail("contains control or invisible characters; type the value plainly.");
  switch (spec.type) {
    case "string": {
      if (raw.length > spec.maxLength) throw fail(`is ${raw.length} characters; at most ${spec.maxLength}.`);
      if (!new RegExp(`^(?:${spec.pattern})$`, "u").test(raw) || raw.normalize("NFKC") !== raw)
        throw fail(`"${show(raw)}" does not match the allowed form ${spec.pattern}.`);
      return raw;
    }
    case "enum": {
      const hit =
        spec.values.find((v) => v === raw) ?? spec.values.find((v) => v.toLowerCase() === raw.toLowerCase());
      if (hit === undefined) throw fail(`"${show(raw)}" is not one of ${spec.values.join(", ")}.`);
      return hit;
    }
    case "integer": {
      if (!/^-?[0-9]{1,15}$/.test(raw)) throw fail(`"${show(raw)}" is not a whole number.`);
      const n = Number(raw);
      if (n < spec.min || n > spec.max) throw fail(`${n} is out of bounds: use ${spec.min}–${spec.max}.`);
      return n;
    }
    case "duration": {
      let ms: number;
      try {
        if (!/^[0-9smhdw ]{1,32}$/i.test(raw)) throw new Error("form");
        ms = parseDuration(raw);
      } catch {
        throw fail(`"${show(raw)}" is not a duration: use forms like 90s, 15m, 1h.`);
      }
      if (ms < spec.minMs || ms > spec.maxMs)
        throw fail(`${show(raw)} is out of bounds: use ${formatMs(spec.minMs)}–${formatMs(spec.maxMs)}.`);
      return spec.unit === "milliseconds" ? ms : Math.round(ms / 1000);
    }
    case "target": {
      if (!targets.includes(raw))
        throw fail(
          targets.length
            ? `"${show(raw)}" is not a configured target: use one of ${targets.join(", ")}.`
            : "no target of this type is configured in firebreak.yaml.",
        );
      return raw;
    }
  }
}

/**
 * Validates every given parameter and fills in defaults. Unknown parameters, fixed ones and
 * missing required ones are refused, naming the parameter. A single configured target
 * is the default of a `target` parameter without one.
 */
export function resolveParams(
  command: CatalogCommand,
  raw: Readonly<Record<string, string>>,
  targets: readonly string[],
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const name of Object.keys(raw)) {
    if (Object.hasOwn(command.fixed, name))
      throw inputInvalid(`${name} is fixed by the catalog for ${command.name}; it cannot be changed.`, {
        param: name,
      });
    if (!command.parameters.some((p) => p.name === name))
      throw inputInvalid(
        `${command.name} has no parameter ${name}${
          command.parameters.length
            ? `; it takes ${command.parameters.map((p) => p.name).join(", ")}`
            : "; it takes none"
        }.`,
        { param: name },
      );
  }
  for (const spec of command.parameters) {
    const given = raw[spec.name];
    if (given !== undefined) out[spec.name] = parseParamValue(spec, given, targets);
    else if (spec.default !== undefined) out[spec.name] = spec.default;
    else if (spec.type === "target" && targets.length === 1) out[spec.name] = targets[0]!;
    else if (spec.optional) continue;
    else
      throw inputInvalid(
        `${spec.name} is required: ${spec.description}${
          spec.type === "target" && targets.length ? ` (one of ${targets.join(", ")})` : ""
        } — e.g. \`/run ${command.name} ${spec.name}=…\`.`,
        { param: spec.name },
      );
  }
  return out;
}

/** The target a command reaches with these parameters. */
export function commandTarget(command: CatalogCommand, params: Readonly<Record<string, ParamValue>>): string {
  const ref = /^\{\{([a-z][a-z0-9_]*)\}\}$/.exec(command.target);
  if (!ref) return command.target;
  const value = params[ref[1]!];
  if (typeof value !== "string")
    throw new FirebreakError("internal", `${command.name}: no target parameter value.`);
  return value;
}

/**
 * A step's arguments with `{{name}}` strings replaced by the typed value of that parameter
 * or fixed value. Only whole strings are replaced: a value is never spliced into text.
 */
export function substituteArgs(args: unknown, values: Readonly<Record<string, ParamValue>>): unknown {
  if (typeof args === "string") {
    const ref = /^\{\{([a-z][a-z0-9_]*)\}\}$/.exec(args);
    if (!ref) return args;
    const v = values[ref[1]!];
    if (v === undefined) throw new FirebreakError("internal", `No value for {{${ref[1]}}}.`);
    return v;
  }
  if (Array.isArray(args)) return args.map((a) => substituteArgs(a, values));
  if (args && typeof args === "object")
    return Object.fromEntries(
      Object.entries(args)
        // An optional parameter that was not given leaves its argument out.
        .filter(
          ([, v]) => !(typeof v === "string" && placeholders(v).some((name) => values[name] === undefined)),
        )
        .map(([k, v]) => [k, substituteArgs(v, values)]),
    );
  return args;
}

/** `{{name}}` references anywhere in a step's arguments. */
export function placeholders(args: unknown): string[] {
  if (typeof args === "string") {
    const ref = /^\{\{([a-z][a-z0-9_]*)\}\}$/.exec(args);
    return ref ? [ref[1]!] : [];
  }
  if (Array.isArray(args)) return args.flatMap(placeholders);
  if (args && typeof args === "object") return Object.values(args).flatMap(placeholders);
  return [];
}

/** A value shown back to the user: bounded, invisible characters made visible, markup escaped. */
function show(raw: string): string {
  const visible = [...raw]
    .map((c) => (INVISIBLE.test(c) ? `\\u{${c.codePointAt(0)!.toString(16)}}` : c))
    .join("");
  return escapeMrkdwn(visible.length > 60 ? `${visible.slice(0, 59)}…` : visible);
}

/** 90000 → `1m30s`. */
export function formatMs(ms: number): string {
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join("") || "0s";
}
