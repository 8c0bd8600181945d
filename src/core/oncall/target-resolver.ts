import { whoIsOnCall } from "./who-is-on-call.js";
import type { Override, ResolveTargets, Schedule } from "./types.js";

/** What a {@link ResolveTargets} needs to know, loaded by the caller beforehand. */
export interface TargetDirectory {
  /** Schedules by name. A name not here resolves to nobody. */
  schedules: Readonly<Record<string, Schedule>>;
  /** Overrides made at run time, by schedule name, oldest first. */
  overrides?: Readonly<Record<string, readonly Override[]>>;
  /** Members of each Slack usergroup by id. An id not here resolves to nobody. */
  usergroupMembers?: Readonly<Record<string, readonly string[]>>;
}

/** Builds the pure resolver the escalation planner takes, from a snapshot of the directory. */
export function createTargetResolver(directory: TargetDirectory): ResolveTargets {
  return (target, at) => {
    switch (target.kind) {
      case "user":
        return [target.userId];
      case "usergroup":
        return [...(directory.usergroupMembers?.[target.usergroupId] ?? [])];
      case "schedule": {
        const schedule = directory.schedules[target.schedule];
        if (!schedule) return [];
        return whoIsOnCall(schedule, at, directory.overrides?.[target.schedule] ?? []).users;
      }
    }
  };
}
