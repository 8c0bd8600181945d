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
export type { AccessAttributes, Authorizer } from "./request.js";
export { FAKE_USER } from "./router.js";
