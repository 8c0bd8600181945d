import type { Clock } from "../../core/ports.js";
import { saveProfile } from "../../store/profiles/slack-profiles.js";
import { PROFILE_REFRESH } from "../people-directory.js";
import type { OutboxHandler } from "./drainer.js";

/** Stores what users.info answered; a user Slack does not know is remembered as such for a day. */
export function profileOutboxHandlers(clock: Clock): [string, OutboxHandler][] {
  return [
    [
      PROFILE_REFRESH,
      {
        async onDone(row, result, tx) {
          const user = (result.user ?? {}) as {
            name?: string;
            real_name?: string;
            tz?: string;
            profile?: { real_name?: string; display_name?: string };
          };
          const name = [user.real_name, user.profile?.real_name, user.profile?.display_name, user.name]
            .map((s) => s?.trim())
            .find((s) => s);
          await saveProfile(
            tx,
            String(row.args.user),
            { name: name ?? null, timeZone: user.tz?.trim() || null },
            clock.now(),
          );
        },
        async onError(row, error, tx) {
          await saveProfile(tx, String(row.args.user), { name: null, timeZone: null, error }, clock.now());
          return null;
        },
      },
    ],
  ];
}
