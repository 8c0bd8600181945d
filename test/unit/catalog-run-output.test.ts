import { describe, expect, it } from "vitest";
import { createRedactor } from "../../src/runs/redact.js";
import type { Run } from "../../src/store/runs/runs.js";
import { renderApprovalRequest, renderRunResult } from "../../src/slack/views/run-messages.js";
import { formatTable, outputText } from "../../src/runs/output-text.js";

describe("secret redaction", () => {
  const r = createRedactor(["hunter2-long-secret", "mysql://app:pw123456@db:3306/x"]);

  it.each([
    ["mysql://app:pw123456@db:3306/x failed", "[redacted] failed"],
    ["connect redis://:s3cr3t@cache:6379/0", "connect redis://:[redacted]@cache:6379/0"],
    ["postgres://ledger:p%40ss@pg/ledger", "postgres://ledger:[redacted]@pg/ledger"],
    ["token xoxb-1234567890-abcdefghij", "token [redacted]"],
    ["Authorization: Bearer abc.def.ghijklmnop", "Authorization: Bearer [redacted]"],
    ["password=hunter2 user=app", "password=[redacted] user=app"],
    ["api_key: 'abc123'", "api_key: [redacted]"],
    ["the secret is hunter2-long-secret!", "the secret is [redacted]!"],
    ["ALTER USER app IDENTIFIED BY 'topsecret'", "ALTER USER app IDENTIFIED BY '[redacted]'"],
    ["jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl", "jwt [redacted]"],
  ])("redacts %j", (input, output) => {
    expect(r.text(input)).toBe(output);
  });

  it("redacts every string inside tables and objects, leaving the rest", () => {
    expect(r.value({ rows: [["password=x1y2z3", 3, null]], n: 1 })).toEqual({
      rows: [["password=[redacted]", 3, null]],
      n: 1,
    });
  });
});

const run = (over: Partial<Run> = {}): Run => ({
  id: 12,
  incidentId: 3,
  command: "mysql-kill-connection",
  kind: "remediation",
  targetType: "mysql",
  target: "orders-db",
  params: { id: 42 },
  requestedBy: "U0CAROL",
  via: "slash",
  channelId: "C1",
  responseUrl: null,
  state: "awaiting_approval",
  exclusive: true,
  approvalsNeeded: 1,
  approverRoles: ["commander", "admin"],
  preview: { changes: ["KILL CONNECTION 42 on orders-db (<!channel> app@10.0.0.1)"], expect: {} },
  approvalTs: null,
  autoApproved: false,
  autoApproval: null,
  timeoutMs: 30_000,
  requestedAt: new Date(0),
  expiresAt: new Date(900_000),
  startedAt: null,
  deadlineAt: null,
  finishedAt: null,
  outcome: null,
  ...over,
});

describe("run messages", () => {
  it("formats a table as aligned columns, with long cells cut and newlines flattened", () => {
    const text = formatTable({
      columns: ["id", "info"],
      rows: [
        [1, "SELECT\n1"],
        [22, "x".repeat(200)],
      ],
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("id  info");
    expect(lines[2]).toBe("1   SELECT 1");
    expect(lines[3]!.length).toBeLessThan(100);
  });

  it("asks for approval with the exact change, escaped, and Approve and Deny", () => {
    const m = renderApprovalRequest(run(), new Date(0));
    const json = JSON.stringify(m.blocks);
    expect(json).toContain("KILL CONNECTION 42 on orders-db (&lt;!channel&gt; app@10.0.0.1)");
    expect(json).toContain('"action_id":"run.approve"');
    expect(json).toContain('"action_id":"run.deny"');
    expect(JSON.stringify(renderApprovalRequest(run({ state: "denied" }), new Date(0)).blocks)).not.toContain(
      "run.approve",
    );
  });

  it("keeps a long result within Block Kit limits and points at the attached file", () => {
    const output = outputText({
      summary: "many",
      table: { columns: ["n"], rows: Array.from({ length: 2000 }, (_, i) => [i]) },
    });
    const done = run({
      kind: "diagnostic",
      state: "succeeded",
      outcome: { status: "ok", summary: "many", digest: "a".repeat(64), durationMs: 1200 },
    });
    const m = renderRunResult(done, output, { fileAttached: true });
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    for (const b of m.blocks) {
      const text = (b as { text?: { text: string } }).text?.text;
      if (text) expect(text.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(m.blocks)).toContain("full output in the attached file");
  });
});
