import type { PeopleDirectory, Person } from "./ports.js";

/** A Slack user id (humans; bots and Firebreak's own actors are not). */
export const isUserId = (id: string): boolean => /^[UW][A-Z0-9]{2,}$/.test(id);

const SYSTEM_ACTORS: Readonly<Record<string, string>> = {
  firebreak: "Firebreak",
  alertmanager: "Alertmanager",
};

/**
 * How an actor or user id reads on a page: the person's name when known, Firebreak's own
 * actors by name, `web:ops` as "ops (web)", anything else as it is.
 */
export function displayName(id: string, people: ReadonlyMap<string, Person>): string {
  const person = people.get(id);
  if (person) return person.name;
  if (SYSTEM_ACTORS[id]) return SYSTEM_ACTORS[id];
  if (id.startsWith("web:")) return `${id.slice(4) || "someone"} (web)`;
  return id;
}

/** A directory over a fixed map (the `people:` section of firebreak.yaml). */
export function staticPeople(people: ReadonlyMap<string, Omit<Person, "id">>): PeopleDirectory {
  return {
    async lookup(ids) {
      const out = new Map<string, Person>();
      for (const id of ids) {
        const p = people.get(id);
        if (p) out.set(id, { id, ...p });
      }
      return out;
    },
  };
}

/** Asks each directory in turn for the ids the ones before it did not know: config first, then Slack. */
export function layeredPeople(...directories: PeopleDirectory[]): PeopleDirectory {
  return {
    async lookup(ids) {
      const out = new Map<string, Person>();
      for (const d of directories) {
        const missing = [...new Set(ids)].filter((id) => !out.has(id));
        if (!missing.length) break;
        for (const [id, p] of await d.lookup(missing)) if (!out.has(id)) out.set(id, p);
      }
      return out;
    },
  };
}
