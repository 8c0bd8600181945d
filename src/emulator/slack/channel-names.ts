/** Slack's longest channel name. */
export const MAX_CHANNEL_NAME = 80;

/**
 * The error Slack's conversations.create/rename gives for a name, or undefined when the
 * name is acceptable: lowercase letters, digits, hyphens and underscores, at most 80.
 */
export function channelNameError(name: string | undefined): string | undefined {
  if (name === undefined || name.trim() === "") return "invalid_name_required";
  if (name.length > MAX_CHANNEL_NAME) return "invalid_name_maxlength";
  if (!/^[\p{Ll}\p{Lo}\p{N}_-]+$/u.test(name)) return "invalid_name_specials";
  if (/^[-_]+$/.test(name)) return "invalid_name_punctuation";
  return undefined;
}
