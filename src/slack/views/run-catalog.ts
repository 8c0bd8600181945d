import { RUN_USAGE } from "../../core/catalog/parse-run-command.js";
import { formatMs } from "../../core/catalog/parameters.js";
import type { CatalogCommand, ParameterSpec } from "../../core/catalog/types.js";
import { escapeMrkdwn, truncate } from "../../core/mrkdwn.js";
import type { Block } from "./blocks.js";
import { actions, capBlocks, context, header, option, section } from "./blocks.js";
import { RUN_ACTION, RUN_VIEW, runParamBlock } from "../ids.js";

const plain = (text: string) => ({ type: "plain_text", text: truncate(text, 150), emoji: true });

/** `integer 0–86400, default 300` and the like. */
export function describeParam(p: ParameterSpec, targets: readonly string[]): string {
  const dflt = p.default !== undefined ? `, default ${p.default}` : "";
  switch (p.type) {
    case "string":
      return `text matching \`${p.pattern}\`${dflt}`;
    case "enum":
      return `one of ${p.values.join(", ")}${dflt}`;
    case "integer":
      return `whole number ${p.min}–${p.max}${dflt}`;
    case "duration":
      return `duration ${formatMs(p.minMs)}–${formatMs(p.maxMs)}${dflt}`;
    case "target":
      return `target: ${targets.length ? targets.join(", ") : "_none configured_"}${dflt}`;
  }
}

/** `/run help`: the catalog, diagnostics first. */
export function renderRunHelp(commands: readonly CatalogCommand[]): { text: string; blocks: Block[] } {
  const line = (c: CatalogCommand) =>
    `• \`${escapeMrkdwn(c.name)}\` — ${escapeMrkdwn(c.title)}${c.kind === "remediation" ? " _(remediation: needs approval, incident channels only)_" : ""}`;
  const diagnostics = commands.filter((c) => c.kind === "diagnostic").map(line);
  const remediations = commands.filter((c) => c.kind === "remediation").map(line);
  const blocks: Block[] = [header("/run — approved diagnostics and remediations"), section(RUN_USAGE)];
  // Sections hold 3000 characters: split long lists.
  for (const [title, lines] of [
    ["Diagnostics", diagnostics],
    ["Remediations", remediations],
  ] as const) {
    if (!lines.length) continue;
    let chunk = `*${title}*`;
    for (const l of lines) {
      if (chunk.length + l.length + 1 > 2900) {
        blocks.push(section(chunk));
        chunk = "";
      }
      chunk += `\n${l}`;
    }
    blocks.push(section(chunk));
  }
  if (!commands.length) blocks.push(section("_The catalog is empty: add commands/*.yaml files._"));
  return { text: "/run help", blocks: capBlocks(blocks) };
}

/** `/run help <command>`: what it does, its parameters and its policy. */
export function renderCommandHelp(
  c: CatalogCommand,
  targets: readonly string[],
): { text: string; blocks: Block[] } {
  const params = c.parameters.length
    ? c.parameters
        .map(
          (p) =>
            `• \`${p.name}\` — ${escapeMrkdwn(p.description)} (${describeParam(p, targets)}${p.default === undefined && !p.optional && !(p.type === "target" && targets.length === 1) ? ", required" : p.optional ? ", optional" : ""})`,
        )
        .join("\n")
    : "_none_";
  const pol = c.policy;
  const policy = [
    `requested by: ${pol.requesters.join(", ")}`,
    ...(c.kind === "remediation"
      ? [
          `approvals: ${pol.approvals.count} from ${pol.approvals.roles.join(", ")} (never the requester), expiring after ${formatMs(pol.approvalExpiryMs)}`,
        ]
      : []),
    `where: ${pol.channels === "incident" ? "incident channels" : "any channel"}${pol.severities ? ` (${pol.severities.join("/")} incidents)` : ""}`,
    `timeout ${formatMs(pol.timeoutMs)}${pol.cooldownMs ? `, cooldown ${formatMs(pol.cooldownMs)}` : ""}${pol.exclusive ? ", one run per target at a time" : ""}`,
  ];
  const example = c.parameters
    .filter((p) => p.default === undefined && !p.optional)
    .map((p) => ` ${p.name}=…`)
    .join("");
  return {
    text: `/run help ${c.name}`,
    blocks: [
      header(`${c.name} — ${c.title}`),
      section(`${escapeMrkdwn(c.description)}\n_${c.kind}, on ${c.targetType} targets_`),
      section(`*Parameters*\n${params}`),
      section(`*Policy*\n${policy.map((p) => `• ${p}`).join("\n")}`),
      context(`\`/run ${c.name}${example}\``),
    ],
  };
}

/** The form behind the summary's command picker, one input per parameter. */
export function runParamsModal(
  c: CatalogCommand,
  targets: readonly string[],
  meta: { incidentId: number; channelId: string },
) {
  const blocks: Block[] = [section(`${escapeMrkdwn(c.description)}`)];
  for (const p of c.parameters) {
    const choices = p.type === "enum" ? p.values : p.type === "target" ? targets : null;
    const initial = p.default !== undefined ? String(p.default) : undefined;
    const element: Block = choices
      ? {
          type: "static_select",
          action_id: "value",
          options: choices.slice(0, 100).map((v) => option(truncate(v, 75), v)),
          ...(initial && choices.includes(initial)
            ? { initial_option: option(truncate(initial, 75), initial) }
            : {}),
        }
      : {
          type: "plain_text_input",
          action_id: "value",
          max_length: p.type === "string" ? p.maxLength : 32,
          ...(initial ? { initial_value: initial } : {}),
        };
    blocks.push({
      type: "input",
      block_id: runParamBlock(p.name),
      optional: p.default !== undefined || Boolean(p.optional),
      label: plain(p.name),
      hint: plain(truncate(`${p.description} — ${describeParam(p, targets)}`, 150)),
      element,
    });
  }
  return {
    type: "modal",
    callback_id: RUN_VIEW.modal,
    private_metadata: JSON.stringify({ command: c.name, ...meta }),
    title: plain(truncate(c.kind === "remediation" ? "Request remediation" : "Run diagnostic", 24)),
    submit: plain(c.kind === "remediation" ? "Request" : "Run"),
    close: plain("Cancel"),
    blocks,
  };
}

/** The summary's command picker: catalog commands allowed in incident channels. */
export function runPickerBlocks(incidentId: number, commands: readonly CatalogCommand[]): Block[] {
  if (!commands.length) return [];
  return [
    actions(`runs:${incidentId}`, [
      {
        type: "static_select",
        action_id: RUN_ACTION.pick,
        placeholder: plain("Run a diagnostic or remediation…"),
        options: commands
          .slice(0, 100)
          .map((c) =>
            option(
              truncate(`${c.kind === "remediation" ? "🛠 " : "🔎 "}${c.title}`, 75),
              `${incidentId}:${c.name}`,
            ),
          ),
      },
    ]),
  ];
}
