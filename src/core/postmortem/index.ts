export { draftPostmortem } from "./draft.js";
export type {
  PostmortemActionRun,
  PostmortemDraft,
  PostmortemEvent,
  PostmortemIncident,
  PostmortemTimelineEntry,
} from "./draft.js";
export { describePostmortemEvent } from "./describe-event.js";
export { postmortemToMarkdown } from "./markdown.js";
