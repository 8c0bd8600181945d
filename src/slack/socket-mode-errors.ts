import { ErrorCode } from "@slack/web-api";
import { FirebreakError } from "../core/errors.js";

/** Slack's answers that mean the app-level token itself is wrong (not a passing outage). */
const BAD_TOKEN = new Set(["invalid_auth", "not_authed", "token_revoked", "account_inactive"]);

/**
 * Translates why Socket Mode could not start (Bolt's `app.start()` rejected) into one line
 * that names SLACK_APP_TOKEN and the fix: a refused token is a configuration error; Slack
 * out of reach is a dependency that is unavailable.
 */
export function socketModeStartError(err: unknown): FirebreakError {
  const e = err as { code?: string; data?: { error?: string }; statusCode?: number; message?: string };
  if (e.code === ErrorCode.PlatformError) {
    const error = e.data?.error ?? "unknown_error";
    if (BAD_TOKEN.has(error))
      return new FirebreakError(
        "config_invalid",
        `SLACK_APP_TOKEN: Slack refused the app-level token (${error}). Create one with the connections:write scope (your Slack app → Basic Information → App-Level Tokens), or unset SLACK_APP_TOKEN to receive Slack over HTTP.`,
        { cause: err },
      );
    if (error === "not_allowed_token_type")
      return new FirebreakError(
        "config_invalid",
        "SLACK_APP_TOKEN: Slack says this is not an app-level token (not_allowed_token_type). Use the xapp- token from Basic Information → App-Level Tokens, not the bot token.",
        { cause: err },
      );
    return new FirebreakError(
      "dependency_unavailable",
      `Socket Mode: Slack refused apps.connections.open (${error}); check that Socket Mode is enabled for the app.`,
      { cause: err },
    );
  }
  const why = e.statusCode !== undefined ? `HTTP ${e.statusCode}` : (e.message ?? String(err));
  return new FirebreakError(
    "dependency_unavailable",
    `Socket Mode: cannot open a connection to Slack (${why}). Check that this host reaches slack.com (or SLACK_API_URL) over HTTPS and WSS.`,
    { cause: err },
  );
}
