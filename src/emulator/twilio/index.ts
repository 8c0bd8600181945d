export { startTwilioFake } from "./server.js";
export type { RecordedTwilioRequest, TwilioFake, TwilioFakeOptions } from "./server.js";
export type { FakeCall, FakeMessage } from "./resources.js";
export type { TwilioFault } from "./errors.js";
export { twilioSignature } from "./signing.js";
export { parseTwiml } from "./twiml.js";
export type { TwimlScript } from "./twiml.js";
export type { WebhookResult } from "./webhooks.js";
