import { describe, expect, it } from "vitest";
import { checkAlertmanagerAuth } from "../../src/alerts/auth.js";

const TOKEN = "s3cret-token";
const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString("base64")}`;

describe("checking the token Alertmanager sends", () => {
  it("accepts the bearer token Alertmanager 0.25 sends with http_config.authorization", () => {
    expect(checkAlertmanagerAuth("Bearer s3cret-token", TOKEN)).toBe(true);
  });

  it("accepts the scheme in any case and surrounding spaces", () => {
    expect(checkAlertmanagerAuth("bearer s3cret-token", TOKEN)).toBe(true);
    expect(checkAlertmanagerAuth("  BEARER   s3cret-token ", TOKEN)).toBe(true);
  });

  it("accepts basic auth whose password is the token, whatever the user", () => {
    expect(checkAlertmanagerAuth(basic("alertmanager:s3cret-token"), TOKEN)).toBe(true);
    expect(checkAlertmanagerAuth(basic(":s3cret-token"), TOKEN)).toBe(true);
  });

  it("accepts a token containing a colon in basic auth", () => {
    expect(checkAlertmanagerAuth(basic("am:a:b"), "a:b")).toBe(true);
  });

  it.each([
    ["no header", undefined],
    ["an empty header", ""],
    ["a wrong bearer token", "Bearer s3cret-tokeN"],
    ["a prefix of the token", "Bearer s3cret"],
    ["the token with more after it", "Bearer s3cret-token-and-more"],
    ["the token without a scheme", "s3cret-token"],
    ["an unknown scheme", "Token s3cret-token"],
    ["basic auth with the token as the user", basic("s3cret-token:")],
    ["basic auth without a colon", basic("s3cret-token")],
    ["basic auth that is not base64", "Basic !!!"],
    ["two tokens", "Bearer s3cret-token s3cret-token"],
  ])("refuses %s", (_what, header) => {
    expect(checkAlertmanagerAuth(header, TOKEN)).toBe(false);
  });

  it("refuses everything when no token is configured", () => {
    expect(checkAlertmanagerAuth("Bearer ", "")).toBe(false);
    expect(checkAlertmanagerAuth(basic("user:"), "")).toBe(false);
  });
});
