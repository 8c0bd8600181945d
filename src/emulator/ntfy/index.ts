export { startNtfyFake } from "./server.js";
export type { NtfyAction, NtfyFake, NtfyFakeOptions, NtfyMessage, RecordedNtfyRequest } from "./server.js";
