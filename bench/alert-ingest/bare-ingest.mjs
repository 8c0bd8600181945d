// The floor for alert ingest: a bare node:http server that parses the same JSON body and
// inserts one row into Postgres before answering 200. No auth, validation or processing.
//   DATABASE_URL=… PORT=… node bench/alert-ingest/bare-ingest.mjs
import { createServer } from "node:http";
import pg from "pg";

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query(
  "CREATE TABLE IF NOT EXISTS bare_notifications (id bigserial PRIMARY KEY, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())",
);

const server = createServer((req, res) => {
  if (req.method === "GET") return void res.writeHead(200).end("ok");
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const text = Buffer.concat(chunks).toString("utf8");
    try {
      JSON.parse(text);
    } catch {
      return void res.writeHead(400).end();
    }
    try {
      await pool.query("INSERT INTO bare_notifications (body) VALUES ($1)", [text]);
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"stored"}');
    } catch {
      res.writeHead(503).end();
    }
  });
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
