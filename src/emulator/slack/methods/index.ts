import { chatMethods } from "./chat.js";
import type { MethodHandler } from "./context.js";
import { conversationMethods } from "./conversations.js";
import { fileMethods } from "./files.js";
import { pinMethods } from "./pins.js";
import { userMethods } from "./users.js";
import { viewMethods } from "./views.js";

/** Every Web API method the emulator speaks, by Slack's name. */
export const METHODS: Readonly<Record<string, MethodHandler>> = {
  ...userMethods,
  ...conversationMethods,
  ...chatMethods,
  ...pinMethods,
  ...viewMethods,
  ...fileMethods,
};
