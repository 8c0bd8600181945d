export { SlackEmulator, startSlackEmulator } from "./emulator.js";
export type { HumanMessage, SlackEmulatorOptions } from "./emulator.js";
export { createSlackRequestSender } from "./request-sender.js";
export type {
  InboundResponse,
  InteractionResponse,
  SendOptions,
  SlackRequestSender,
  SlackRequestSenderOptions,
  SlashCommandResponse,
  ViewSubmissionResponse,
} from "./request-sender.js";
export { signSlackRequest } from "./signing.js";
export { SocketModeServer } from "./socket-mode.js";
export type {
  DisconnectReason,
  EnvelopeOutcome,
  EnvelopeType,
  ReceivedAck,
  SentEnvelope,
  SocketConnection,
  SocketModeOptions,
} from "./socket-mode.js";
export { CHANNEL_POST_LIMIT, METHOD_TIERS, TIER_PER_MINUTE } from "./rate-tiers.js";
export { BOT_USER, DEFAULT_HUMANS, DEFAULT_IDENTITY, DEFAULT_USERGROUPS, INCIDENTS_CHANNEL } from "./seed.js";
export type { WorkspaceIdentity, WorkspaceState } from "./state.js";
export type { SubmittedValues } from "./view-state.js";
export type * from "./types.js";
