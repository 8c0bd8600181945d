import { describe, expect, it } from "vitest";
import { blocksToHtml } from "../../src/console/block-kit-html.js";
import type { BlockLookup } from "../../src/console/block-kit-html.js";
import { mrkdwnToHtml } from "../../src/console/mrkdwn-html.js";

const lookup: BlockLookup = {
  userName: (id) => ({ U0BOB: "bob" })[id],
  channelName: (id) => ({ C0INC: "incidents" })[id],
  channelHref: (id) => `/?channel=${id}`,
  users: () => [{ id: "U0BOB", name: "bob" }],
  channels: () => [{ id: "C0INC", name: "#incidents" }],
};
const message = { kind: "message", channelId: "C0INC", messageTs: "1.000100" } as const;

describe("rendering mrkdwn in the console", () => {
  it("escapes everything first, then formats only the safe subset", () => {
    expect(mrkdwnToHtml('*bold* _it_ ~gone~ `a<b` <img src=x onerror="alert(1)">', lookup)).toBe(
      "<b>bold</b> <i>it</i> <s>gone</s> <code>a&lt;b</code> img src=x onerror=&quot;alert(1)&quot;",
    );
  });

  it("keeps Slack's own escapes as text", () => {
    expect(mrkdwnToHtml("&lt;!channel&gt; &amp; co", lookup)).toBe("&lt;!channel&gt; &amp; co");
  });

  it("links only http(s) and mailto URLs", () => {
    expect(mrkdwnToHtml("<https://x.example/a?b=1&amp;c=2|the &lt;docs&gt;>", lookup)).toBe(
      '<a href="https://x.example/a?b=1&amp;c=2" target="_blank" rel="noopener noreferrer">the &lt;docs&gt;</a>',
    );
    expect(mrkdwnToHtml("<javascript:alert(1)|click>", lookup)).toBe("click");
  });

  it("names users, channels, groups and special mentions, and formats dates", () => {
    expect(mrkdwnToHtml("<@U0BOB> in <#C0INC> <!here> <!subteam^S1|@oncall>", lookup)).toBe(
      '<span class="mention" data-user="U0BOB">@bob</span> in <a class="mention" href="/?channel=C0INC">#incidents</a> <span class="mention">@here</span> <span class="mention">@oncall</span>',
    );
    expect(mrkdwnToHtml("<!date^1767261600^{date_short} {time}|fallback>", lookup)).toContain(
      "2026-01-01 10:00 UTC",
    );
  });

  it("renders code blocks, emoji codes and line breaks", () => {
    expect(mrkdwnToHtml("```x *not bold*```\n:rotating_light: :unknown:", lookup)).toBe(
      "<pre>x *not bold*</pre><br>🚨 :unknown:",
    );
  });
});

describe("rendering Block Kit in the console", () => {
  it("renders header, section with fields and accessory, context, divider and image as a link", () => {
    const out = blocksToHtml(
      [
        { type: "header", text: { type: "plain_text", text: "Incident <1>" } },
        {
          type: "section",
          block_id: "s",
          text: { type: "mrkdwn", text: "*State* declared" },
          fields: [{ type: "mrkdwn", text: "*Sev* P1" }],
          accessory: {
            type: "button",
            action_id: "go",
            text: { type: "plain_text", text: "Go" },
            value: "v",
          },
        },
        { type: "context", elements: [{ type: "mrkdwn", text: "by <@U0BOB>" }] },
        { type: "divider" },
        { type: "image", image_url: "https://img.example/graph.png", alt_text: "latency graph" },
        { type: "mystery" },
      ],
      message,
      lookup,
    );
    expect(out).toContain('<div class="bk-header">Incident &lt;1&gt;</div>');
    expect(out).toContain("<b>State</b> declared");
    expect(out).toContain('<div class="bk-fields"><div><b>Sev</b> P1</div></div>');
    expect(out).toContain('data-action-id="go"');
    expect(out).toContain('href="https://img.example/graph.png"');
    expect(out).toContain("latency graph");
    expect(out).toContain("[mystery block]");
    expect(out).toContain('<hr class="bk-divider">');
  });

  it("makes buttons and static selects send interactions, with confirm dialogs", () => {
    const out = blocksToHtml(
      [
        {
          type: "actions",
          block_id: "acts",
          elements: [
            {
              type: "button",
              action_id: "run.approve",
              style: "danger",
              value: '{"run":1}',
              text: { type: "plain_text", text: "Approve" },
              confirm: {
                title: { type: "plain_text", text: "Sure?" },
                text: { type: "plain_text", text: "Restart" },
              },
            },
            {
              type: "static_select",
              action_id: "sev",
              options: [{ text: { type: "plain_text", text: "P1" }, value: "P1" }],
            },
          ],
        },
      ],
      message,
      lookup,
    );
    expect(out).toContain('class="bk-button bk-danger" data-kind="button" data-value="{&quot;run&quot;:1}"');
    expect(out).toContain(
      'data-channel="C0INC" data-ts="1.000100" data-block-id="acts" data-action-id="run.approve"',
    );
    expect(out).toContain('data-confirm="Sure?\n\nRestart"');
    expect(out).toContain('<option value="P1">P1</option>');
  });

  it("turns modal inputs into named form fields and shows their errors", () => {
    const out = blocksToHtml(
      [
        {
          type: "input",
          block_id: "title",
          label: { type: "plain_text", text: "Title" },
          element: { type: "plain_text_input", action_id: "t", initial_value: 'a"b' },
        },
        {
          type: "input",
          block_id: "who",
          optional: true,
          label: { type: "plain_text", text: "Who" },
          element: { type: "multi_users_select", action_id: "u", initial_users: ["U0BOB"] },
        },
      ],
      { kind: "modal", errors: { title: "Too short" } },
      lookup,
    );
    expect(out).toContain('<input type="text" name="title/t" value="a&quot;b">');
    expect(out).toContain('<span class="bk-error">Too short</span>');
    expect(out).toContain('name="who/u" data-multi="true" multiple');
    expect(out).toContain('<option value="U0BOB" selected>bob</option>');
  });
});
