import { section } from "./blocks.js";
import type { Block } from "./blocks.js";

/** An `/oncall` answer: the text, cut into sections within Block Kit's limits. */
export function oncallReply(text: string): { text: string; blocks: Block[] } {
  const chunks: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (current && current.length + line.length + 1 > 2900) {
      chunks.push(current);
      current = "";
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) chunks.push(current);
  return { text: text.slice(0, 3000), blocks: chunks.slice(0, 50).map((c) => section(c)) };
}
