// Public surface of @pc-referrals/worker: explicit named re-exports only.
export { createTenantWorker } from "./worker.js";
export type {
  EnqueueResult,
  TenantEngineOptions,
  TenantJobSkipReason,
  TenantWorker,
  TenantWorkerEventMap,
  TenantWorkerEventName,
  TenantWorkerOptions,
  TenantWorkerRetryOptions,
} from "./types.js";
