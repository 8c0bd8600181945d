/**
 * GSM 03.38, the 7-bit alphabet of a plain SMS: a message of at most 160 of these septets
 * is one segment; one character outside it makes the whole message UCS-2 (70 per segment).
 */
const BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/** The extension table: each costs two septets (an escape, then the character). */
const EXTENDED = "^{}\\[~]|€\f";

const BASIC_SET = new Set(BASIC);
const EXTENDED_SET = new Set(EXTENDED);

/** Characters people paste into titles, mapped to their GSM-7 look-alikes. */
const LOOKALIKES: Record<string, string> = {
  "\u2018": "'",
  "\u2019": "'",
  "\u201A": "'",
  "\u201C": '"',
  "\u201D": '"',
  "\u201E": '"',
  "\u2013": "-",
  "\u2014": "-",
  "\u2026": "...",
  "\u00A0": " ",
  "\t": " ",
  "`": "'",
  "\u2022": "*",
  "\u2192": "->",
  "\u00D7": "x",
};

/** Septets `text` takes in GSM-7 (assumes every character is GSM-7: see {@link toGsm7}). */
export function gsm7Length(text: string): number {
  let n = 0;
  for (const ch of text) n += EXTENDED_SET.has(ch) ? 2 : 1;
  return n;
}

/** Whether every character of `text` is in the GSM-7 alphabet (basic or extension). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC_SET.has(ch) && !EXTENDED_SET.has(ch)) return false;
  return true;
}

/**
 * `text` in GSM-7 only: look-alikes for typographic quotes and dashes, accents dropped
 * where the letter itself is not in the alphabet (ł → l, ç → c), anything else as "?".
 * Line breaks become spaces: a page is one line.
 */
export function toGsm7(text: string): string {
  let out = "";
  for (const ch of text.replace(/[\r\n]+/g, " ")) {
    if (BASIC_SET.has(ch) || EXTENDED_SET.has(ch)) {
      out += ch;
      continue;
    }
    const look = LOOKALIKES[ch];
    if (look !== undefined) {
      out += look;
      continue;
    }
    const base = ch.normalize("NFD").replace(/\p{M}/gu, "");
    out += base.length > 0 && [...base].every((c) => BASIC_SET.has(c)) ? base : (STROKES[ch] ?? "?");
  }
  return out.replace(/ {2,}/g, " ");
}

const STROKES: Record<string, string> = { ł: "l", Ł: "L", đ: "d", Đ: "D", ø: "ø", ı: "i", œ: "oe", Œ: "OE" };

/** Cuts `text` to at most `septets` GSM-7 septets, ending with "…" as "..." when cut. */
export function truncateGsm7(text: string, septets: number): string {
  if (gsm7Length(text) <= septets) return text;
  if (septets <= 3) return ".".repeat(Math.max(0, septets));
  let out = "";
  let n = 0;
  for (const ch of text) {
    const w = EXTENDED_SET.has(ch) ? 2 : 1;
    if (n + w > septets - 3) break;
    out += ch;
    n += w;
  }
  return `${out.trimEnd()}...`;
}
