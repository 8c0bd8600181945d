/** What a TwiML document asks a call to do, as far as the fake acts on it. */
export interface TwimlScript {
  /** Every <Say> text, in order (inside and outside <Gather>). */
  says: string[];
  gather?: { action?: string; method: string; numDigits?: number; says: string[] };
  hangup: boolean;
  /** The raw document. */
  xml: string;
}

const decode = (s: string) =>
  s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, "&");

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z]+)="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

const saysIn = (xml: string) =>
  [...xml.matchAll(/<Say[^>]*>([\s\S]*?)<\/Say>/g)].map((m) => decode(m[1]!.trim()));

/**
 * Reads the TwiML verbs a paging call uses (<Response>, <Say>, <Gather>, <Hangup>). Throws on
 * a document Twilio would refuse (not a <Response>), as Twilio ends such a call with an
 * application error.
 */
export function parseTwiml(xml: string): TwimlScript {
  const body = xml.replace(/^<\?xml[^>]*\?>\s*/, "").trim();
  if (!/^<Response\b[\s\S]*<\/Response>$|^<Response\s*\/>$/.test(body))
    throw new Error(`not TwiML (no <Response>): ${body.slice(0, 80)}`);
  const gatherMatch = /<Gather\b([^>]*)>([\s\S]*?)<\/Gather>|<Gather\b([^>]*)\/>/.exec(body);
  let gather: TwimlScript["gather"];
  if (gatherMatch) {
    const attrs = attributes(gatherMatch[1] ?? gatherMatch[3] ?? "");
    gather = {
      ...(attrs.action ? { action: attrs.action } : {}),
      method: (attrs.method ?? "POST").toUpperCase(),
      ...(attrs.numDigits ? { numDigits: Number(attrs.numDigits) } : {}),
      says: saysIn(gatherMatch[2] ?? ""),
    };
  }
  return { says: saysIn(body), ...(gather ? { gather } : {}), hangup: /<Hangup\s*\/>/.test(body), xml };
}
