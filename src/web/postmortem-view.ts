import type { PostmortemDraft } from "../core/postmortem/index.js";
import { automationLines } from "../core/postmortem/index.js";
import { humanDuration } from "../core/duration.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";

const d = (ms: number | null) => (ms === null ? "—" : humanDuration(ms));

/** The postmortem draft as a card of the incident page: the same sentences as the timeline. */
export function renderPostmortem(pm: PostmortemDraft): SafeHtml {
  return html`<section class="card" id="postmortem">
    <h2>Postmortem draft</h2>
    <p class="summary" id="postmortem-summary">${pm.summary}</p>
    <h3>Impact</h3>
    <p>${pm.impact}</p>
    <h3>Response times</h3>
    <ul>
      <li>Time to acknowledge: ${d(pm.timeToAcknowledgeMs)}</li>
      <li>Time to mitigate: ${d(pm.timeToMitigateMs)}</li>
      <li>Time to resolve: ${d(pm.timeToResolveMs)}</li>
    </ul>
    <h3>Timeline</h3>
    <ul>
      ${pm.timeline.map((t) => html`<li><span class="mono">${t.offset}</span> ${t.text}</li>`)}
    </ul>
    <h3>Actions run</h3>
    ${
      pm.actionsRun.length
        ? html`<ul>
            ${pm.actionsRun.map(
              (r) =>
                html`<li>
                  <code>${r.command}</code> by ${r.actor}:
                  ${r.outcome}${r.approvedBy ? ` (approved by ${r.approvedBy})` : ""}
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">None recorded.</p>`
    }
    ${
      pm.automation
        ? html`<h3>Alert automation</h3>
            <ul id="automation">
              ${automationLines(pm.automation).map((l) => html`<li>${l}</li>`)}
            </ul>`
        : ""
    }
    <h3>Follow-ups</h3>
    ${
      pm.followUps.length
        ? html`<ul class="pm-follow-ups">
            ${pm.followUps.map(
              (f) =>
                html`<li data-done="${f.doneBy ? "yes" : "no"}">
                  ${f.doneBy ? "☑" : "☐"} ${f.number}. ${f.text}
                  <span class="muted"
                    >(added by ${f.createdBy}${f.doneBy ? `; done, ticked by ${f.doneBy}` : ""})</span
                  >
                </li>`,
            )}
          </ul>`
        : html`<p class="muted">
            None recorded yet: add them with <code>/incident followup &lt;text&gt;</code>.
          </p>`
    }
    <h4>Suggested from the timeline</h4>
    ${
      pm.suggestedFollowUps.length
        ? html`<ul>
            ${pm.suggestedFollowUps.map((f) => html`<li>${f}</li>`)}
          </ul>`
        : html`<p class="muted">None.</p>`
    }
  </section>`;
}
