import { FirebreakError } from "../../core/errors.js";
import { isRecord } from "./args.js";
import { findOption, interactiveElements } from "./interaction-payloads.js";
import type { WorkspaceState } from "./state.js";
import type { EmulatedView } from "./types.js";

/** What a user entered, by block id then action id: text, an option value, a user id, or lists of them. */
export type SubmittedValues = Record<string, Record<string, string | string[] | number | null>>;

type Entered = string | string[] | number | null | undefined;

/**
 * `view.state.values` shaped as Slack shapes them for each element type, from what the
 * user entered (or the element's initial value). Refuses what Slack's client would not
 * let through: a required input left empty, an option or user that does not exist, a
 * value for an element the view does not have.
 */
export function buildViewStateValues(
  state: WorkspaceState,
  view: EmulatedView,
  entered: SubmittedValues,
): Record<string, Record<string, unknown>> {
  const elements = interactiveElements(view.blocks);
  for (const [blockId, actions] of Object.entries(entered)) {
    for (const actionId of Object.keys(actions)) {
      if (!elements.some((e) => e.blockId === blockId && e.element.action_id === actionId)) {
        throw new FirebreakError(
          "input_invalid",
          `View ${view.id} (${view.callback_id}) has no element ${blockId}/${actionId}; it has: ` +
            elements.map((e) => `${e.blockId}/${String(e.element.action_id)}`).join(", "),
        );
      }
    }
  }
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks) {
    if (!isRecord(block) || typeof block.block_id !== "string") continue;
    const fromBlock = elements.filter((e) => e.blockId === block.block_id);
    for (const { element } of fromBlock) {
      const actionId = String(element.action_id);
      const given = entered[block.block_id]?.[actionId];
      const isInput = block.type === "input";
      if (!isInput && given === undefined) continue;
      const where = `${view.callback_id || view.id} ${block.block_id}/${actionId}`;
      const shaped = shapeValue(state, element, given, where);
      if (isInput && block.optional !== true && isEmpty(shaped)) {
        throw new FirebreakError(
          "input_invalid",
          `${where} is required; Slack would not submit the modal without it.`,
        );
      }
      (values[block.block_id] ??= {})[actionId] = shaped;
    }
  }
  return values;
}

function isEmpty(shaped: Record<string, unknown>): boolean {
  return Object.entries(shaped).every(
    ([key, value]) =>
      key === "type" || value === null || value === "" || (Array.isArray(value) && value.length === 0),
  );
}

function shapeValue(
  state: WorkspaceState,
  element: Record<string, unknown>,
  given: Entered,
  where: string,
): Record<string, unknown> {
  const type = String(element.type);
  const one = (): string | null => {
    if (given === undefined || given === null) return null;
    if (Array.isArray(given))
      throw new FirebreakError("input_invalid", `${where} takes one value, not a list.`);
    return String(given);
  };
  const many = (): string[] => {
    if (given === undefined || given === null) return [];
    return Array.isArray(given) ? given : [String(given)];
  };
  const user = (id: string) => {
    if (!state.users.has(id))
      throw new FirebreakError("input_invalid", `${where}: the emulator has no user ${id}.`);
    return id;
  };
  switch (type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input":
      return { type, value: given === undefined ? (initialString(element.initial_value) ?? null) : one() };
    case "static_select":
    case "external_select":
    case "radio_buttons": {
      const value = given === undefined ? initialOptionValue(element) : one();
      return { type, selected_option: value === null ? null : findOption(element, value, where) };
    }
    case "multi_static_select":
    case "checkboxes": {
      const chosen = given === undefined ? initialOptionValues(element) : many();
      return { type, selected_options: chosen.map((v) => findOption(element, v, where)) };
    }
    case "users_select": {
      const id = given === undefined ? (initialString(element.initial_user) ?? null) : one();
      return { type, selected_user: id === null ? null : user(id) };
    }
    case "multi_users_select":
      return {
        type,
        selected_users: (given === undefined ? stringArray(element.initial_users) : many()).map(user),
      };
    case "conversations_select":
      return {
        type,
        selected_conversation:
          given === undefined ? (initialString(element.initial_conversation) ?? null) : one(),
      };
    case "channels_select":
      return {
        type,
        selected_channel: given === undefined ? (initialString(element.initial_channel) ?? null) : one(),
      };
    case "multi_conversations_select":
      return {
        type,
        selected_conversations: given === undefined ? stringArray(element.initial_conversations) : many(),
      };
    case "multi_channels_select":
      return {
        type,
        selected_channels: given === undefined ? stringArray(element.initial_channels) : many(),
      };
    case "datepicker":
      return {
        type,
        selected_date: given === undefined ? (initialString(element.initial_date) ?? null) : one(),
      };
    case "timepicker":
      return {
        type,
        selected_time: given === undefined ? (initialString(element.initial_time) ?? null) : one(),
      };
    case "datetimepicker":
      return {
        type,
        selected_date_time:
          given === undefined ? (element.initial_date_time ?? null) : given === null ? null : Number(given),
      };
    default:
      return { type, value: given === undefined ? null : one() };
  }
}

function initialString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function stringArray(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function initialOptionValue(element: Record<string, unknown>): string | null {
  const option = element.initial_option;
  return isRecord(option) && typeof option.value === "string" ? option.value : null;
}

function initialOptionValues(element: Record<string, unknown>): string[] {
  const options = element.initial_options;
  return Array.isArray(options)
    ? options.flatMap((o) => (isRecord(o) && typeof o.value === "string" ? [o.value] : []))
    : [];
}
