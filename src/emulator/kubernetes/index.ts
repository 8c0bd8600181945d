export {
  startKubeApiFake,
  type KubeApiFake,
  type KubeApiFakeOptions,
  type RecordedRequest,
} from "./server.js";
export { loadKubeFixtures } from "./fixtures.js";
export { kubeconfigYaml, type KubeconfigParams } from "./kubeconfig.js";
export { KubeStore, type StoreChange, type ContainerLogs } from "./store.js";
export type { KubeObject, ObjectMeta } from "./types.js";
