// The worker's typed emitter: synchronous, a throwing listener is logged and never stops a job.
import type { Logger } from "@pc-referrals/core";
import type { TenantWorkerEventMap, TenantWorkerEventName } from "./types.js";

export interface WorkerEmitter {
  on<K extends TenantWorkerEventName>(event: K, listener: (payload: TenantWorkerEventMap[K]) => void): () => void;
  emit<K extends TenantWorkerEventName>(event: K, payload: TenantWorkerEventMap[K]): void;
}

export function createWorkerEmitter(logger: Logger | null): WorkerEmitter {
  const listeners = new Map<TenantWorkerEventName, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
      };
    },
    emit(event, payload) {
      for (const listener of [...(listeners.get(event) ?? [])]) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch (error) {
          logger?.error({ event, error: error instanceof Error ? error.message : String(error) }, "listener_failed");
        }
      }
    },
  };
}
