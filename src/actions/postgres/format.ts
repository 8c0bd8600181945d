/** Statement text on one line, cut to `max` characters. */
export function oneLine(text: string | null, max: number): string | null {
  if (text === null) return null;
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Seconds to one decimal, or null. */
export function seconds(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/** Decimal digits only: how a whole number arrives from chat. */
export const digitsOnly = /^[0-9]{1,10}$/;
