import { inspect } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { previewAction, rejection, runAction } from "../support/actions.js";
import {
  parseRedisMemory,
  redisActions,
  redisClients,
  redisConfigGet,
  redisConfigSet,
  redisInfo,
  redisPing,
} from "../../src/actions/redis/index.js";
import type { RedisTarget } from "../../src/actions/redis/index.js";
import type { ActionDefinition } from "../../src/actions/types.js";
import { startPrivateRedis } from "../support/private-redis.js";
import type { PrivateRedis } from "../support/private-redis.js";

const PREFIX = "fbt-actions-redis:";
let target: RedisTarget = {
  name: "cache",
  url: "redis://127.0.0.1:6379",
  allowConfig: {
    maxmemory: { min: 0, max: 2 * 1024 ** 3 },
    "maxmemory-policy": { values: ["noeviction", "allkeys-lru", "volatile-lru"] },
    dir: { values: ["/tmp"] },
  },
};

const run = <A>(action: ActionDefinition<A, RedisTarget>, args: unknown, t: RedisTarget = target) =>
  runAction(action, t, args);
const preview = <A>(action: ActionDefinition<A, RedisTarget>, args: unknown) =>
  previewAction(action, target, args);

let direct: Redis;
// CONFIG SET and ACL users are server-wide: this file gets a Redis of its own.
let server: PrivateRedis;
beforeAll(async () => {
  server = await startPrivateRedis();
  target = { ...target, url: server.url };
  direct = new Redis(server.url, { lazyConnect: true });
  await direct.connect();
  await direct.set(`${PREFIX}sentinel`, "still here");
});
afterAll(async () => {
  await direct.del(`${PREFIX}sentinel`);
  await direct.quit();
  await server?.stop();
});

async function configValue(name: string): Promise<string> {
  const reply = (await direct.config("GET", name)) as string[];
  return String(reply[1]);
}

describe("redis.ping", () => {
  it("answers PONG and times each round trip", async () => {
    const out = await run(redisPing, { count: "3" });
    expect(out.table?.rows).toHaveLength(3);
    for (const [, reply, ms] of out.table?.rows ?? []) {
      expect(reply).toBe("PONG");
      expect(ms).toBeGreaterThan(0);
    }
    expect(out.summary).toMatch(/^cache: PONG in [\d.]+ ms on average \(min [\d.]+, max [\d.]+, 3 pings\)$/);
  });
});

describe("redis.info", () => {
  it("shows one INFO section as a table", async () => {
    const out = await run(redisInfo, { section: "memory" });
    const fields = new Map(out.table?.rows.map((r) => [r[0], r[1]]));
    expect(Number(fields.get("used_memory"))).toBeGreaterThan(0);
    expect(fields.has("redis_version")).toBe(false);
  });

  it("offers only its listed sections", () => {
    for (const section of ["all", "everything", "commandstats", "FLUSHALL", "server\r\nFLUSHALL"]) {
      expect(redisInfo.argsSchema.safeParse({ section }).success, section).toBe(false);
    }
  });
});

describe("redis.clients", () => {
  it("reports connected clients against maxclients", async () => {
    const out = await run(redisClients, {});
    const values = new Map(out.table?.rows.map((r) => [r[0], r[1]]));
    expect(values.get("connected_clients")).toBeGreaterThanOrEqual(2);
    expect(values.get("maxclients")).toBe(Number(await configValue("maxclients")));
    expect(out.summary).toMatch(/^cache: \d+ of \d+ clients connected \([\d.]+%\)$/);
  });
});

describe("redis.config_get", () => {
  it("reads allowlisted parameters, all of them by default", async () => {
    const out = await run(redisConfigGet, {});
    expect(out.table?.rows).toEqual([
      ["maxmemory", await configValue("maxmemory")],
      ["maxmemory-policy", await configValue("maxmemory-policy")],
    ]);
  });

  it("refuses a parameter the target does not allowlist", async () => {
    const err = await rejection(run(redisConfigGet, { parameters: "timeout" }));
    expect(err.code).toBe("forbidden");
    expect(err.message).toContain("timeout is not in the allowConfig of Redis target cache");
  });

  it("cannot name files or secrets even when a target lists them", () => {
    for (const parameter of ["dir", "dbfilename", "requirepass", "*", "max*"]) {
      expect(redisConfigGet.argsSchema.safeParse({ parameters: [parameter] }).success, parameter).toBe(false);
    }
  });
});

describe("redis.config_set", () => {
  it("previews and sets maxmemory, normalising 512mb to bytes (shown as sizes), and restores it", async () => {
    const original = await configValue("maxmemory");
    const shownOriginal = original === "0" ? "0 (no limit)" : original;
    try {
      await direct.config("SET", "maxmemory", "1gb");
      const p = await preview(redisConfigSet, { parameter: "maxmemory", value: "512mb" });
      expect(p.changes).toEqual(["maxmemory 1gb → 512mb on cache"]);
      expect(p.table?.rows).toEqual([["maxmemory", "1073741824", "536870912"]]);
      expect(await configValue("maxmemory")).toBe("1073741824");

      const out = await run(redisConfigSet, { parameter: "MAXMEMORY", value: "512mb", expect: p.expect });
      expect(out.summary).toBe("cache: maxmemory 1gb → 512mb");
      expect(await configValue("maxmemory")).toBe("536870912");

      const odd = await run(redisConfigSet, { parameter: "maxmemory", value: "123456789" });
      expect(odd.summary).toBe("cache: maxmemory 512mb → 123456789");

      const back = await run(redisConfigSet, { parameter: "maxmemory", value: original });
      expect(back.summary).toBe(`cache: maxmemory 123456789 → ${shownOriginal}`);
    } finally {
      await direct.config("SET", "maxmemory", original);
    }
    expect(await configValue("maxmemory")).toBe(original);
  });

  it("applies an enum value as configured", async () => {
    const original = await configValue("maxmemory-policy");
    try {
      const wanted = original === "volatile-lru" ? "allkeys-lru" : "volatile-lru";
      const out = await run(redisConfigSet, { parameter: "maxmemory-policy", value: wanted.toUpperCase() });
      expect(out.summary).toBe(`cache: maxmemory-policy ${original} → ${wanted}`);
    } finally {
      await direct.config("SET", "maxmemory-policy", original);
    }
  });

  it("refuses a parameter the target does not allowlist", async () => {
    const err = await rejection(preview(redisConfigSet, { parameter: "timeout", value: 30 }));
    expect(err.code).toBe("forbidden");
    expect((await rejection(run(redisConfigSet, { parameter: "maxclients", value: 10 }))).code).toBe(
      "forbidden",
    );
  });

  it("refuses values out of bounds or not in the enum", async () => {
    const big = await rejection(run(redisConfigSet, { parameter: "maxmemory", value: "3gb" }));
    expect(big.code).toBe("input_invalid");
    expect(big.message).toContain("3221225472 is above the maximum 2147483648");
    const policy = await rejection(
      run(redisConfigSet, { parameter: "maxmemory-policy", value: "allkeys-random" }),
    );
    expect(policy.message).toContain("accepts only noeviction, allkeys-lru, volatile-lru");
    const notSize = await rejection(run(redisConfigSet, { parameter: "maxmemory", value: "lots" }));
    expect(notSize.message).toContain("expects a size in bytes or like 100mb / 1gb");
  });

  it("refuses to apply when the value moved since the preview", async () => {
    const err = await rejection(
      run(redisConfigSet, { parameter: "maxmemory", value: "1mb", expect: { current: "-1" } }),
    );
    expect(err.code).toBe("conflict");
  });
});

describe("Redis memory sizes", () => {
  it("reads bytes and Redis's units as Redis does", () => {
    expect(parseRedisMemory("104857600")).toBe(104_857_600);
    expect(parseRedisMemory("100mb")).toBe(104_857_600);
    expect(parseRedisMemory("1GB")).toBe(1_073_741_824);
    expect(parseRedisMemory("1g")).toBe(1_000_000_000);
    expect(parseRedisMemory("500k")).toBe(500_000);
    expect(parseRedisMemory("1.5gb")).toBeUndefined();
    expect(parseRedisMemory("-1")).toBeUndefined();
  });
});

describe("arbitrary Redis commands", () => {
  const attempts: Record<string, unknown>[] = [
    { command: "FLUSHALL" },
    { command: "FLUSHDB" },
    { parameter: "FLUSHALL", value: "1" },
    { parameter: "flushdb", value: "1" },
    { parameter: "maxmemory", value: "1mb\r\nFLUSHALL" },
    { parameter: "maxmemory", value: "1mb FLUSHALL" },
    { parameter: "maxmemory", value: "1mb", command: "FLUSHALL" },
    { parameters: ["FLUSHALL"] },
    { section: "FLUSHALL" },
    { count: "1\r\nFLUSHALL" },
    { args: ["FLUSHALL"] },
  ];

  it("cannot be expressed through any redis action's schema", () => {
    expect(redisActions.map((a) => a.name).sort()).toEqual([
      "redis.clients",
      "redis.config_get",
      "redis.config_set",
      "redis.info",
      "redis.ping",
    ]);
    for (const action of redisActions) {
      for (const args of attempts) {
        const parsed = action.argsSchema.safeParse(args);
        expect(parsed.success, `${action.name} ${JSON.stringify(args)}`).toBe(false);
      }
    }
  });

  it("left this file's sentinel key in place through every action above", async () => {
    expect(await direct.get(`${PREFIX}sentinel`)).toBe("still here");
  });
});

describe("Redis target errors", () => {
  it("says clearly when the server refuses the connection", async () => {
    const err = await rejection(run(redisPing, {}, { ...target, url: "redis://127.0.0.1:1" }));
    expect(err.code).toBe("dependency_unavailable");
    expect(err.message).toBe(
      "Redis cache refused the connection: is it down, or is the port in its URL wrong?",
    );
  });

  describe("with an ACL user of this file's own", () => {
    const user = "fbt-actions-redis-user";
    beforeAll(async () => {
      await direct.acl(
        "SETUSER",
        user,
        "reset",
        "on",
        ">right-pw",
        "-@all",
        "+ping",
        "+info",
        "+client|setname",
        "+quit",
      );
    });
    afterAll(async () => {
      await direct.acl("DELUSER", user);
    });

    it("says the login was refused, without echoing the password", async () => {
      const wrong = { ...target, url: `redis://${user}:wrong-pw-123@${server.hostPort}` };
      const err = await rejection(run(redisPing, {}, wrong));
      expect(err.code).toBe("forbidden");
      expect(err.message).toContain("Redis cache refused the login");
      expect(err.message).not.toContain("wrong-pw-123");
      expect(inspect(err, { depth: 10 })).not.toContain("wrong-pw-123");
    });

    it("says which permission is missing", async () => {
      const limited = { ...target, url: `redis://${user}:right-pw@${server.hostPort}` };
      expect((await run(redisPing, { count: 1 }, limited)).summary).toContain("PONG");
      const err = await rejection(run(redisConfigGet, {}, limited));
      expect(err.code).toBe("forbidden");
      expect(err.message).toContain("lacks the permission");
    });
  });
});
