import { escapeHtml } from "../web/html.js";
import type { MrkdwnLookup } from "./mrkdwn-html.js";
import { plainText, textObjectToHtml } from "./mrkdwn-html.js";

/** Where blocks are shown: a message (interactive elements send interactions) or a modal (a form). */
export type BlockSurface =
  | { kind: "message"; channelId: string; messageTs: string }
  | { kind: "modal"; errors: Record<string, string> };

/** What rendering blocks needs: mrkdwn lookups plus the people and channels selects offer. */
export interface BlockLookup extends MrkdwnLookup {
  users(): { id: string; name: string }[];
  channels(): { id: string; name: string }[];
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === "string" ? v : "");
const attr = (v: unknown) => escapeHtml(typeof v === "string" || typeof v === "number" ? v : "");
const SAFE_URL = /^https?:/i;

/** Renders Block Kit blocks as HTML; unknown block types say what they are instead of vanishing. */
export function blocksToHtml(blocks: readonly unknown[], surface: BlockSurface, lookup: BlockLookup): string {
  return blocks.map((b) => (isRec(b) ? block(b, surface, lookup) : "")).join("");
}

function block(b: Rec, surface: BlockSurface, lookup: BlockLookup): string {
  const blockId = str(b.block_id);
  const text = (t: unknown) => textObjectToHtml(t, lookup);
  switch (b.type) {
    case "header":
      return `<div class="bk-header">${text(b.text)}</div>`;
    case "divider":
      return `<hr class="bk-divider">`;
    case "section": {
      const fields = Array.isArray(b.fields)
        ? `<div class="bk-fields">${b.fields.map((f) => `<div>${text(f)}</div>`).join("")}</div>`
        : "";
      const accessory = isRec(b.accessory) ? element(b.accessory, blockId, surface, lookup) : "";
      return `<div class="bk-section"><div class="bk-section-body">${b.text ? `<div>${text(b.text)}</div>` : ""}${fields}</div>${accessory ? `<div class="bk-accessory">${accessory}</div>` : ""}</div>`;
    }
    case "context": {
      const parts = (Array.isArray(b.elements) ? b.elements : []).map((e) =>
        isRec(e) && e.type === "image" ? imageLink(e) : `<span>${text(e)}</span>`,
      );
      return `<div class="bk-context">${parts.join(" ")}</div>`;
    }
    case "actions": {
      const parts = (Array.isArray(b.elements) ? b.elements : []).map((e) =>
        isRec(e) ? element(e, blockId, surface, lookup) : "",
      );
      return `<div class="bk-actions">${parts.join("")}</div>`;
    }
    case "image":
      return `<div class="bk-image">${b.title ? `<div>${text(b.title)}</div>` : ""}${imageLink(b)}</div>`;
    case "input": {
      const error = surface.kind === "modal" ? surface.errors[blockId] : undefined;
      const el = isRec(b.element) ? inputElement(b.element, blockId, lookup) : "";
      return `<label class="bk-input"><span class="bk-label">${text(b.label)}${b.optional === true ? ' <span class="muted">(optional)</span>' : ""}</span>${el}${b.hint ? `<span class="muted">${text(b.hint)}</span>` : ""}${error ? `<span class="bk-error">${escapeHtml(error)}</span>` : ""}</label>`;
    }
    case "rich_text":
      return `<div class="bk-section">${escapeHtml(richText(b))}</div>`;
    case "file":
      return `<div class="bk-context">[file ${attr(b.external_id)}]</div>`;
    default:
      return `<div class="bk-context muted">[${escapeHtml(str(b.type) || "unknown")} block]</div>`;
  }
}

function imageLink(e: Rec): string {
  const url = str(e.image_url);
  const alt = str(e.alt_text) || "image";
  return SAFE_URL.test(url)
    ? `<a class="bk-image-link" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">🖼 ${escapeHtml(alt)}</a>`
    : `<span>🖼 ${escapeHtml(alt)}</span>`;
}

/** An interactive element in a message (buttons and selects send interactions) or a modal (disabled). */
function element(e: Rec, blockId: string, surface: BlockSurface, lookup: BlockLookup): string {
  if (e.type === "image") return imageLink(e);
  const inMessage = surface.kind === "message";
  const common = inMessage
    ? `data-channel="${attr(surface.channelId)}" data-ts="${attr(surface.messageTs)}" data-block-id="${attr(blockId)}" data-action-id="${attr(e.action_id)}"${confirmAttr(e)}`
    : `disabled title="Actions inside modals are not emulated"`;
  switch (e.type) {
    case "button": {
      const style = str(e.style);
      const url = str(e.url);
      const label = textObjectToHtml(e.text, lookup);
      const button = `<button type="button" class="bk-button${style ? ` bk-${escapeHtml(style)}` : ""}" data-kind="button" data-value="${attr(e.value)}" ${common}>${label}</button>`;
      return SAFE_URL.test(url)
        ? `${button}<a class="bk-url" href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">↗</a>`
        : button;
    }
    case "static_select":
    case "overflow":
    case "radio_buttons": {
      const placeholder = plainText(e.placeholder) || (e.type === "overflow" ? "⋯" : "Select…");
      return `<select class="bk-select" data-kind="select" ${common}><option value="">${escapeHtml(placeholder)}</option>${options(e, optionValue(e.initial_option))}</select>`;
    }
    default:
      return `<span class="muted">[${escapeHtml(str(e.type))}]</span>`;
  }
}

function confirmAttr(e: Rec): string {
  if (!isRec(e.confirm)) return "";
  const c = e.confirm;
  const question = [plainText(c.title), plainText(c.text)].filter(Boolean).join("\n\n");
  return ` data-confirm="${escapeHtml(question || "Are you sure?")}"`;
}

const optionValue = (o: unknown) => (isRec(o) ? str(o.value) : "");

function options(e: Rec, selected: string | string[]): string {
  const chosen = new Set(Array.isArray(selected) ? selected : [selected]);
  const one = (o: unknown) =>
    isRec(o)
      ? `<option value="${attr(o.value)}"${chosen.has(str(o.value)) ? " selected" : ""}>${escapeHtml(plainText(o.text))}</option>`
      : "";
  const groups = Array.isArray(e.option_groups)
    ? e.option_groups
        .map((g) =>
          isRec(g)
            ? `<optgroup label="${escapeHtml(plainText(g.label))}">${(Array.isArray(g.options) ? g.options : []).map(one).join("")}</optgroup>`
            : "",
        )
        .join("")
    : "";
  return (Array.isArray(e.options) ? e.options.map(one).join("") : "") + groups;
}

/** A modal input: named `blockId/actionId` so that the submission can be rebuilt. */
function inputElement(e: Rec, blockId: string, lookup: BlockLookup): string {
  const name = `name="${attr(blockId)}/${attr(e.action_id)}"`;
  const placeholder = plainText(e.placeholder);
  const ph = placeholder ? ` placeholder="${escapeHtml(placeholder)}"` : "";
  const list = (items: { id: string; name: string }[], initial: string | string[], multi: boolean) => {
    const chosen = new Set(Array.isArray(initial) ? initial : [initial]);
    return `<select ${name} data-multi="${multi}"${multi ? " multiple" : ""}>${multi ? "" : '<option value=""></option>'}${items
      .map(
        (i) =>
          `<option value="${attr(i.id)}"${chosen.has(i.id) ? " selected" : ""}>${escapeHtml(i.name)}</option>`,
      )
      .join("")}</select>`;
  };
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  switch (e.type) {
    case "plain_text_input":
      return e.multiline === true
        ? `<textarea ${name} rows="4"${ph}>${escapeHtml(str(e.initial_value))}</textarea>`
        : `<input type="text" ${name} value="${attr(e.initial_value)}"${ph}>`;
    case "number_input":
      return `<input type="number" step="any" ${name} value="${attr(e.initial_value)}"${ph}>`;
    case "email_text_input":
      return `<input type="email" ${name} value="${attr(e.initial_value)}"${ph}>`;
    case "url_text_input":
      return `<input type="url" ${name} value="${attr(e.initial_value)}"${ph}>`;
    case "datepicker":
      return `<input type="date" ${name} value="${attr(e.initial_date)}">`;
    case "timepicker":
      return `<input type="time" ${name} value="${attr(e.initial_time)}">`;
    case "static_select":
    case "radio_buttons":
      return `<select ${name} data-multi="false"><option value=""></option>${options(e, optionValue(e.initial_option))}</select>`;
    case "multi_static_select":
    case "checkboxes":
      return `<select ${name} data-multi="true" multiple>${options(
        e,
        (Array.isArray(e.initial_options) ? e.initial_options : []).map(optionValue),
      )}</select>`;
    case "users_select":
      return list(lookup.users(), str(e.initial_user), false);
    case "multi_users_select":
      return list(lookup.users(), strings(e.initial_users), true);
    case "conversations_select":
    case "channels_select":
      return list(lookup.channels(), str(e.initial_conversation ?? e.initial_channel), false);
    case "multi_conversations_select":
    case "multi_channels_select":
      return list(lookup.channels(), strings(e.initial_conversations ?? e.initial_channels), true);
    default:
      return `<input type="text" ${name}${ph}>`;
  }
}

function richText(b: Rec): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isRec(v)) return;
    if (typeof v.text === "string") out.push(v.text);
    if (v.type === "user" && typeof v.user_id === "string") out.push(`@${v.user_id}`);
    walk(v.elements);
  };
  walk(b.elements);
  return out.join("");
}
