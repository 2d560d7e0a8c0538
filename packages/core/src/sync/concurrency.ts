// A small concurrency limiter for host hooks (matchLead, DomainScanner) that may be slow.

/** Runs at most `limit` tasks at a time; tasks queue in submission order. */
export interface Limiter {
  /** Queues `task`; resolves or rejects with its result once it has run. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves when nothing is queued or running. */
  idle(): Promise<void>;
  /** Tasks queued or running. */
  readonly size: number;
  /** Drops every queued task that has not started; each rejects with `reason`. */
  clear(reason: unknown): void;
}

/** Creates a {@link Limiter}. `limit` must be a positive integer. */
export function createLimiter(limit: number): Limiter {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError("limit must be a positive integer");
  const queue: Array<{ start: () => void; reject: (reason: unknown) => void }> = [];
  let active = 0;
  let idleWaiters: Array<() => void> = [];

  const settleIdle = () => {
    if (active > 0 || queue.length > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = () => {
    while (active < limit && queue.length > 0) {
      const next = queue.shift();
      next?.start();
    }
    settleIdle();
  };

  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({
          start: () => {
            active += 1;
            // A task that throws synchronously is still just a rejected task.
            Promise.resolve()
              .then(task)
              .then(resolve, reject)
              .finally(() => {
                active -= 1;
                pump();
              });
          },
          reject,
        });
        pump();
      });
    },
    idle() {
      if (active === 0 && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    get size() {
      return active + queue.length;
    },
    clear(reason) {
      for (const entry of queue.splice(0)) entry.reject(reason);
      settleIdle();
    },
  };
}

/** Maps `items` through `fn` with at most `limit` calls in flight; results keep input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limiter = createLimiter(limit);
  return Promise.all(items.map((item, index) => limiter.run(() => fn(item, index))));
}
