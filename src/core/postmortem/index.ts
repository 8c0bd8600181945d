export { draftPostmortem } from "./draft.js";
export type {
  DraftOptions,
  PostmortemActionRun,
  PostmortemDraft,
  PostmortemEvent,
  PostmortemFollowUp,
  PostmortemIncident,
  PostmortemTimelineEntry,
} from "./draft.js";
export type { NameOf } from "./describe-event.js";
export { describePostmortemEvent, describeTimeline, EVENT_TAGS, tagsOf } from "./describe-timeline.js";
export type { DescribedEvent, EventTag } from "./describe-timeline.js";
export { postmortemToMarkdown } from "./markdown.js";
export { automationLines, summariseAutomation } from "./automation.js";
export type { PostmortemAutomation, PostmortemSelfHeal } from "./automation.js";
