// The floor: a bare Bolt app (same receiver as Firebreak) that acks /incident and does nothing else.
import bolt from "@slack/bolt";

const receiver = new bolt.ExpressReceiver({
  signingSecret: process.env.SIGNING_SECRET,
  endpoints: "/slack/events",
});
// botId/botUserId given so Bolt does not ask Slack (auth.test) who it is.
const app = new bolt.App({
  token: "xoxb-bare",
  receiver,
  tokenVerificationEnabled: false,
  botId: "B0BARE",
  botUserId: "U0BARE",
});
app.command("/incident", async ({ ack }) => {
  await ack();
});
receiver.app.get("/healthz", (_req, res) => res.send("ok"));
const server = receiver.app.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
