/** A configured Prometheus (or a Prometheus-compatible query API: Thanos, Mimir, VictoriaMetrics). */
export interface PrometheusTarget {
  /** Name used in the catalog and in messages. */
  readonly name: string;
  /**
   * Base URL, e.g. `http://prometheus:9090` or `https://ops.example/prometheus`; `/api/v1/query`
   * is appended. Userinfo (`https://user:pass@…`) is sent as basic auth and never shown.
   */
  readonly url: string;
}
