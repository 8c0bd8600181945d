import type { ResourceDef } from "./resources.js";
import type { KubeObject } from "./types.js";

/** A request as the handlers see it: already authenticated, body parsed from JSON. */
export interface ApiRequest {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly accept: string | undefined;
  readonly contentType: string;
  readonly body: unknown;
  /** `host:port` the client addressed, echoed in discovery. */
  readonly host: string;
  /** Decides whether this request's user may do it; everything is allowed when absent. */
  readonly authorize?: Authorizer | undefined;
}

/** What RBAC decides on: the verb and the resource it is applied to. */
export interface AccessAttributes {
  readonly verb: "get" | "list" | "watch" | "create" | "update" | "patch" | "delete";
  readonly group: string;
  /** `pods`, or with a subresource `pods/log`, `deployments/scale`. */
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
}

/** An RBAC stand-in: true allows the request, false makes it a 403 Forbidden. */
export type Authorizer = (attributes: AccessAttributes) => boolean;

/** Where a resource request points: `/apis/apps/v1/namespaces/ecommerce/deployments/app/scale`. */
export interface ResourceTarget {
  readonly def: ResourceDef;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

/** A watch to stream: initial events, then changes that pass `filter`. */
export interface WatchRequest {
  readonly def: ResourceDef;
  readonly namespace: string | undefined;
  readonly filter: (obj: KubeObject) => boolean;
  readonly initial: KubeObject[];
  readonly timeoutSeconds: number | undefined;
}

export type ApiResult =
  | { readonly type: "json"; readonly status: number; readonly body: unknown; readonly contentType?: string }
  | { readonly type: "text"; readonly status: number; readonly body: string }
  | { readonly type: "watch"; readonly watch: WatchRequest };

export const json = (body: unknown, status = 200, contentType?: string): ApiResult => ({
  type: "json",
  status,
  body,
  ...(contentType ? { contentType } : {}),
});
