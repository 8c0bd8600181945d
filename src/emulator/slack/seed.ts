import type { WorkspaceIdentity, WorkspaceState } from "./state.js";
import type { EmulatedUser, EmulatedUsergroup } from "./types.js";

/** The workspace and app every emulator starts as. */
export const DEFAULT_IDENTITY: WorkspaceIdentity = {
  teamId: "T0FIREBRK",
  teamDomain: "firebreak-local",
  teamName: "Firebreak (local)",
  botUserId: "U0FIREBRK",
  botId: "B0FIREBRK",
  appId: "A0FIREBRK",
};

/** The bot user, as users.info reports it. */
export const BOT_USER: EmulatedUser = {
  id: DEFAULT_IDENTITY.botUserId,
  name: "firebreak",
  real_name: "Firebreak",
  is_bot: true,
};

/** The people of a fresh workspace. */
export const DEFAULT_HUMANS: readonly EmulatedUser[] = [
  { id: "U0ALICE", name: "alice", real_name: "Alice Archer", is_bot: false, email: "alice@example.com" },
  { id: "U0BOB", name: "bob", real_name: "Bob Baker", is_bot: false, email: "bob@example.com" },
  { id: "U0CAROL", name: "carol", real_name: "Carol Chen", is_bot: false, email: "carol@example.com" },
  { id: "U0DAVE", name: "dave", real_name: "Dave Diaz", is_bot: false, email: "dave@example.com" },
];

/** `@oncall`: alice and bob. */
export const DEFAULT_USERGROUPS: readonly EmulatedUsergroup[] = [
  { id: "S0ONCALL", handle: "oncall", name: "On-call", users: ["U0ALICE", "U0BOB"] },
];

/** The channel incidents are announced in. */
export const INCIDENTS_CHANNEL = { id: "C0INCIDENTS", name: "incidents" } as const;

/**
 * Fills a fresh state: the bot, the given users (or the default humans), `@oncall`
 * and #incidents with the bot and every human in it.
 */
export function seedWorkspace(state: WorkspaceState, users?: readonly EmulatedUser[]): void {
  state.addUser(BOT_USER);
  const humans = users ?? DEFAULT_HUMANS;
  for (const user of humans) state.addUser(user);
  for (const group of DEFAULT_USERGROUPS) {
    state.addUsergroup({ ...group, users: group.users.filter((id) => state.users.has(id)) });
  }
  state.createChannel({
    id: INCIDENTS_CHANNEL.id,
    name: INCIDENTS_CHANNEL.name,
    creator: humans[0]?.id ?? BOT_USER.id,
    members: [BOT_USER.id, ...humans.filter((u) => !u.is_bot).map((u) => u.id)],
  });
}
