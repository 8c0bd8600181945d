import type { Layer, Restriction } from "./types.js";
import {
  WALL_DAY_MS,
  fromWall,
  isoWeekdayOfWall,
  startOfWallDay,
  toWall,
  wallOf,
  type WallTime,
} from "./zoned-time.js";

const MINUTE = 60_000;

function timeOfDayMs(time: { hour: number; minute: number }): number {
  return (time.hour * 60 + time.minute) * MINUTE;
}

/** Wall time of the first handoff of a layer: `start` at `handoff`. */
function anchorOf(layer: Layer): WallTime {
  return wallOf(layer.start, layer.handoff);
}

/** The instant shift `index` of `layer` begins (index 0 is the layer's first shift). */
export function shiftStartInstant(layer: Layer, index: number, zone: string): number {
  return fromWall(anchorOf(layer) + index * layer.shiftMs, zone).getTime();
}

/** The shift of `layer` running at `instant`, or null before the layer starts. */
export function shiftIndexAt(layer: Layer, instant: number, zone: string): number | null {
  if (instant < shiftStartInstant(layer, 0, zone)) return null;
  let index = Math.max(0, Math.floor((toWall(instant, zone) - anchorOf(layer)) / layer.shiftMs));
  // The wall clock runs backwards for an hour in autumn; settle the estimate on instants.
  while (shiftStartInstant(layer, index + 1, zone) <= instant) index += 1;
  while (index > 0 && shiftStartInstant(layer, index, zone) > instant) index -= 1;
  return index;
}

/** Who holds shift `index` of `layer`. */
export function userOfShift(layer: Layer, index: number): string | undefined {
  return layer.users[index % layer.users.length];
}

/** The instants a restriction window opening on the wall day `day` covers. */
function windowOn(restriction: Restriction, day: WallTime, zone: string): [number, number] {
  const from = timeOfDayMs(restriction.from);
  let to = timeOfDayMs(restriction.to);
  if (to <= from) to += WALL_DAY_MS;
  return [fromWall(day + from, zone).getTime(), fromWall(day + to, zone).getTime()];
}

/** True when `layer` has no restrictions or `instant` falls in one of its windows. */
export function isWithinRestrictions(layer: Layer, instant: number, zone: string): boolean {
  if (layer.restrict.length === 0) return true;
  const today = startOfWallDay(toWall(instant, zone));
  // A window opened yesterday may still be open; two days back covers the autumn hour too.
  for (let day = today - 2 * WALL_DAY_MS; day <= today + WALL_DAY_MS; day += WALL_DAY_MS) {
    for (const restriction of layer.restrict) {
      if (!restriction.days.includes(isoWeekdayOfWall(day))) continue;
      const [open, close] = windowOn(restriction, day, zone);
      if (open <= instant && instant < close) return true;
    }
  }
  return false;
}

/**
 * Every instant in the open interval (`from`, `to`) at which `layer` may change hands:
 * its first handoff, each later handoff and each edge of a restriction window.
 */
export function layerBoundaries(layer: Layer, from: number, to: number, zone: string): number[] {
  const out: number[] = [];
  const anchor = anchorOf(layer);
  const first = Math.max(0, Math.floor((toWall(from, zone) - anchor) / layer.shiftMs) - 1);
  const last = Math.ceil((toWall(to, zone) - anchor) / layer.shiftMs) + 1;
  for (let index = first; index <= last; index += 1) {
    out.push(shiftStartInstant(layer, index, zone));
  }
  if (layer.restrict.length > 0) {
    const lastDay = startOfWallDay(toWall(to, zone)) + WALL_DAY_MS;
    for (let day = startOfWallDay(toWall(from, zone)) - 2 * WALL_DAY_MS; day <= lastDay; day += WALL_DAY_MS) {
      for (const restriction of layer.restrict) {
        if (restriction.days.includes(isoWeekdayOfWall(day))) out.push(...windowOn(restriction, day, zone));
      }
    }
  }
  return out.filter((t) => from < t && t < to);
}
