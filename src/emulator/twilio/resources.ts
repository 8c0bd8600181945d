import { randomBytes } from "node:crypto";
import { gsm7Length, isGsm7 } from "../../core/notify/gsm7.js";
import type { TwimlScript } from "./twiml.js";

export const API_VERSION = "2010-04-01";

/** A message as the fake keeps it (outbound through the API, or inbound from a phone). */
export interface FakeMessage {
  sid: string;
  direction: "outbound-api" | "inbound";
  from: string;
  to: string;
  body: string;
  status: "queued" | "sent" | "delivered" | "undelivered" | "failed" | "received";
  statusCallback?: string;
  dateCreated: Date;
  dateSent: Date | null;
  errorCode: number | null;
}

/** A call as the fake keeps it, with what it was told to do and what the callee pressed. */
export interface FakeCall {
  sid: string;
  from: string;
  to: string;
  /** The URL Twilio fetches TwiML from when the call is answered (or inline TwiML). */
  url?: string;
  method: string;
  twiml?: string;
  statusCallback?: string;
  statusCallbackEvents: string[];
  status: "queued" | "ringing" | "in-progress" | "completed" | "busy" | "no-answer" | "failed" | "canceled";
  dateCreated: Date;
  startTime: Date | null;
  endTime: Date | null;
  /** The TwiML the call is running now. */
  script?: TwimlScript;
  /** Digits pressed, in order. */
  digits: string[];
}

export const newSid = (prefix: "SM" | "CA") => `${prefix}${randomBytes(16).toString("hex")}`;

/** Dates as Twilio's REST API writes them (RFC 2822). */
export const rfc2822 = (d: Date | null) => (d ? d.toUTCString().replace(/GMT$/, "+0000") : null);

/** How many segments an SMS body takes: GSM-7 160/153 a segment, else UCS-2 70/67. */
export function segments(body: string): number {
  if (isGsm7(body)) {
    const n = gsm7Length(body);
    return n <= 160 ? 1 : Math.ceil(n / 153);
  }
  const units = body.length;
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

/** A Message resource as Twilio's API renders it. */
export function messageJson(accountSid: string, m: FakeMessage): Record<string, unknown> {
  const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${m.sid}.json`;
  return {
    account_sid: accountSid,
    api_version: API_VERSION,
    body: m.body,
    date_created: rfc2822(m.dateCreated),
    date_sent: rfc2822(m.dateSent),
    date_updated: rfc2822(m.dateSent ?? m.dateCreated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: null,
    from: m.from,
    messaging_service_sid: null,
    num_media: "0",
    num_segments: String(segments(m.body)),
    price: null,
    price_unit: "USD",
    sid: m.sid,
    status: m.status,
    subresource_uris: {
      media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${m.sid}/Media.json`,
      feedback: `/${API_VERSION}/Accounts/${accountSid}/Messages/${m.sid}/Feedback.json`,
    },
    to: m.to,
    uri,
  };
}

/** A Call resource as Twilio's API renders it. */
export function callJson(accountSid: string, c: FakeCall): Record<string, unknown> {
  const base = `/${API_VERSION}/Accounts/${accountSid}/Calls/${c.sid}`;
  const duration =
    c.startTime && c.endTime
      ? String(Math.round((c.endTime.getTime() - c.startTime.getTime()) / 1000))
      : null;
  return {
    account_sid: accountSid,
    annotation: null,
    answered_by: null,
    api_version: API_VERSION,
    caller_name: null,
    date_created: rfc2822(c.dateCreated),
    date_updated: rfc2822(c.endTime ?? c.startTime ?? c.dateCreated),
    direction: "outbound-api",
    duration,
    end_time: rfc2822(c.endTime),
    forwarded_from: null,
    from: c.from,
    from_formatted: c.from,
    group_sid: null,
    parent_call_sid: null,
    phone_number_sid: null,
    price: null,
    price_unit: "USD",
    queue_time: "0",
    sid: c.sid,
    start_time: rfc2822(c.startTime),
    status: c.status,
    subresource_uris: {
      notifications: `${base}/Notifications.json`,
      recordings: `${base}/Recordings.json`,
      events: `${base}/Events.json`,
    },
    to: c.to,
    to_formatted: c.to,
    trunk_sid: null,
    uri: `${base}.json`,
  };
}

/** A page of a list resource, as Twilio's API renders it (everything fits on one page here). */
export function listJson(
  key: "messages" | "calls",
  path: string,
  items: Record<string, unknown>[],
  pageSize: number,
): Record<string, unknown> {
  const page = items.slice(0, pageSize);
  return {
    [key]: page,
    end: Math.max(0, page.length - 1),
    first_page_uri: `${path}?PageSize=${pageSize}&Page=0`,
    next_page_uri: null,
    page: 0,
    page_size: pageSize,
    previous_page_uri: null,
    start: 0,
    uri: `${path}?PageSize=${pageSize}&Page=0`,
  };
}
