import type { OnCall, Override, Schedule } from "./types.js";
import { isWithinRestrictions, layerBoundaries, shiftIndexAt, userOfShift } from "./rotation.js";
import { WALL_DAY_MS } from "./zoned-time.js";

interface Answer {
  /** Equal keys on adjacent stretches mean "the same shift, still going". */
  key: string;
  users: string[];
  layer: string | null;
  source: OnCall["source"];
  overrideId?: string;
}

const FIRST_PAD = 2 * WALL_DAY_MS;
/** How far either side of a question a stretch is followed before it is cut. */
export const TIMELINE_HORIZON_MS = 400 * WALL_DAY_MS;

function answerAt(schedule: Schedule, overrides: readonly Override[], instant: number): Answer {
  for (let i = overrides.length - 1; i >= 0; i -= 1) {
    const override = overrides[i];
    if (override && override.from.getTime() <= instant && instant < override.to.getTime()) {
      return {
        key: `override:${i}`,
        users: [override.user],
        layer: null,
        source: "override",
        ...(override.id === undefined ? {} : { overrideId: override.id }),
      };
    }
  }
  for (let i = schedule.layers.length - 1; i >= 0; i -= 1) {
    const layer = schedule.layers[i];
    if (!layer || !isWithinRestrictions(layer, instant, schedule.timeZone)) continue;
    const index = shiftIndexAt(layer, instant, schedule.timeZone);
    const user = index === null ? undefined : userOfShift(layer, index);
    if (index !== null && user !== undefined) {
      return { key: `layer:${i}:${index}`, users: [user], layer: layer.name, source: "layer" };
    }
  }
  return { key: "none", users: [], layer: null, source: "none" };
}

function segmentsWithin(
  schedule: Schedule,
  overrides: readonly Override[],
  lo: number,
  hi: number,
): OnCall[] {
  const edges = new Set<number>([lo, hi]);
  for (const layer of schedule.layers) {
    for (const t of layerBoundaries(layer, lo, hi, schedule.timeZone)) edges.add(t);
  }
  for (const override of overrides) {
    for (const t of [override.from.getTime(), override.to.getTime()]) if (lo < t && t < hi) edges.add(t);
  }
  const sorted = [...edges].sort((a, b) => a - b);
  const out: OnCall[] = [];
  let previousKey: string | undefined;
  for (let i = 0; i + 1 < sorted.length; i += 1) {
    const start = sorted[i] as number;
    const end = sorted[i + 1] as number;
    const answer = answerAt(schedule, overrides, start);
    const last = out.at(-1);
    if (last && answer.key === previousKey) {
      last.shiftEnd = new Date(end);
      continue;
    }
    previousKey = answer.key;
    out.push({
      users: answer.users,
      layer: answer.layer,
      shiftStart: new Date(start),
      shiftEnd: new Date(end),
      source: answer.source,
      ...(answer.overrideId === undefined ? {} : { overrideId: answer.overrideId }),
    });
  }
  return out;
}

/**
 * The final on-call timeline of `schedule` (layers, config overrides, then `extra`
 * overrides) as consecutive stretches covering [from, to). The first and last stretch
 * keep their true bounds, which may lie outside the interval.
 */
export function scheduleTimeline(
  schedule: Schedule,
  from: number,
  to: number,
  extra: readonly Override[],
): OnCall[] {
  const overrides = [...schedule.overrides, ...extra].filter((o) => o.from.getTime() < o.to.getTime());
  for (let pad = FIRST_PAD; ; pad = Math.min(pad * 4, TIMELINE_HORIZON_MS)) {
    const lo = from - pad;
    const hi = to + pad;
    const segments = segmentsWithin(schedule, overrides, lo, hi);
    const first = segments.find((s) => s.shiftEnd.getTime() > from);
    const last = segments.findLast((s) => s.shiftStart.getTime() < to);
    const settled = first?.shiftStart.getTime() !== lo && last?.shiftEnd.getTime() !== hi;
    if (settled || pad === TIMELINE_HORIZON_MS) {
      return segments.filter((s) => s.shiftEnd.getTime() > from && s.shiftStart.getTime() < to);
    }
  }
}
