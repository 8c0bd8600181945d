import { qualifiedName } from "./resources.js";

/** A `meta/v1 Status` body, as the API server sends it for every failure. */
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

export interface StatusCause {
  reason: string;
  message: string;
  field: string;
}

/** Thrown inside request handlers; the server renders it as a Status response. */
export class KubeApiError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message);
  }
}

function failure(
  code: number,
  reason: string,
  message: string,
  details?: StatusBody["details"],
): KubeApiError {
  return new KubeApiError({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

interface ResourceRef {
  group: string;
  plural: string;
}

export const unauthorized = () => failure(401, "Unauthorized", "Unauthorized");

/** 403 worded as the RBAC authorizer words it. */
export const forbidden = (
  user: string,
  a: {
    verb: string;
    group: string;
    resource: string;
    namespace: string | undefined;
    name: string | undefined;
  },
) => {
  const [plural = "", sub] = a.resource.split("/");
  const what = `${a.group ? `${plural}.${a.group}` : plural}${a.name ? ` "${a.name}"` : ""}`;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return failure(
    403,
    "Forbidden",
    `${what} is forbidden: User "${user}" cannot ${a.verb} resource "${a.resource}" in API group "${a.group}"${scope}`,
    {
      ...(a.name ? { name: a.name } : {}),
      ...(a.group ? { group: a.group } : {}),
      kind: sub ? `${plural}/${sub}` : plural,
    },
  );
};

export const notFound = (res: ResourceRef, name: string) =>
  failure(404, "NotFound", `${qualifiedName(res)} "${name}" not found`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.plural,
  });

export const pathNotFound = () =>
  failure(404, "NotFound", "the server could not find the requested resource", {});

export const alreadyExists = (res: ResourceRef, name: string) =>
  failure(409, "AlreadyExists", `${qualifiedName(res)} "${name}" already exists`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.plural,
  });

export const conflict = (res: ResourceRef, name: string, why: string) =>
  failure(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedName(res)} "${name}": ${why}`, {
    name,
    ...(res.group ? { group: res.group } : {}),
    kind: res.plural,
  });

export const OBJECT_MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

/** 422 for a field that fails validation, e.g. `spec.replicas: Invalid value: -1: …`. */
export const invalid = (
  kind: string,
  group: string,
  name: string,
  field: string,
  value: unknown,
  detail: string,
) => {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const cause = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return failure(422, "Invalid", `${qualifiedKind} "${name}" is invalid: ${field}: ${cause}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: [{ reason: "FieldValueInvalid", message: cause, field }],
  });
};

export const badRequest = (message: string) => failure(400, "BadRequest", message);

export const unprocessable = (message: string) => failure(422, "Invalid", message);

export const methodNotAllowed = () =>
  failure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

export const unsupportedMediaType = (contentType: string) =>
  failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ` +
      `application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json` +
      (contentType ? ` (got ${contentType})` : ""),
  );

export const internalError = (message: string) =>
  failure(500, "InternalError", `Internal error occurred: ${message}`);
