import { describe, expect, it } from "vitest";
import { displayName, layeredPeople, staticPeople } from "../../src/core/people.js";
import type { PeopleDirectory } from "../../src/core/ports.js";

/** A Slack-like directory that records which ids it was asked for. */
function slackLike(names: Record<string, string>) {
  const asked: string[] = [];
  const directory: PeopleDirectory = {
    async lookup(ids) {
      asked.push(...ids);
      return new Map(ids.filter((id) => names[id]).map((id) => [id, { id, name: names[id]! }]));
    },
  };
  return { directory, asked };
}

describe("people's names", () => {
  it("come from people: in firebreak.yaml first, and from Slack only for the others", async () => {
    const slack = slackLike({ U0ALICE: "alice (Slack)", U0CAROL: "Carol Chen" });
    const people = layeredPeople(
      staticPeople(new Map([["U0ALICE", { name: "Alice Archer", timeZone: "Europe/Berlin" }]])),
      slack.directory,
    );
    const found = await people.lookup(["U0ALICE", "U0CAROL", "U0NOBODY"]);
    expect(found.get("U0ALICE")).toEqual({ id: "U0ALICE", name: "Alice Archer", timeZone: "Europe/Berlin" });
    expect(found.get("U0CAROL")?.name).toBe("Carol Chen");
    expect(slack.asked).toEqual(["U0CAROL", "U0NOBODY"]);
    expect(displayName("U0NOBODY", found)).toBe("U0NOBODY");
    expect(displayName("alertmanager", found)).toBe("Alertmanager");
  });
});
