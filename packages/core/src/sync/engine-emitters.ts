// The emitter behind each engine this copy of the library created, so createReferralActions can
// fire `referral.action` on the engine a host subscribed to without a public emit method.
import type { SyncEventEmitter } from "../events.js";

const emitters = new WeakMap<object, SyncEventEmitter>();

/** Remembers `emitter` as the one behind `engine`. */
export function registerEngineEmitter(engine: object, emitter: SyncEventEmitter): void {
  emitters.set(engine, emitter);
}

/** The emitter behind an engine of `createSyncEngine`, or null for any other object. */
export function engineEmitterOf(engine: object): SyncEventEmitter | null {
  return emitters.get(engine) ?? null;
}
