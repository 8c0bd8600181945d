import { stringify } from "yaml";

/** What a kubeconfig for the fake names. */
export interface KubeconfigParams {
  readonly server: string;
  readonly token: string;
  readonly contextName: string;
  readonly namespace?: string | undefined;
  /** PEM of the server certificate, for a fake serving HTTPS. */
  readonly caPem?: string | undefined;
}

/**
 * A kubeconfig with one cluster, user and context. Over plain HTTP it sets
 * `insecure-skip-tls-verify`, without which `@kubernetes/client-node` refuses `http:`;
 * over HTTPS it trusts the fake's certificate instead.
 */
export function kubeconfigYaml(p: KubeconfigParams): string {
  const cluster = `${p.contextName}-cluster`;
  const user = `${p.contextName}-user`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: cluster,
        cluster: p.caPem
          ? { server: p.server, "certificate-authority-data": Buffer.from(p.caPem).toString("base64") }
          : { server: p.server, "insecure-skip-tls-verify": true },
      },
    ],
    users: [{ name: user, user: { token: p.token } }],
    contexts: [
      { name: p.contextName, context: { cluster, user, ...(p.namespace ? { namespace: p.namespace } : {}) } },
    ],
    "current-context": p.contextName,
    preferences: {},
  });
}
