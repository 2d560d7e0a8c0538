// Seeded randomness of the generators: the same seed gives the same data on every machine.

/** A seeded PRNG (mulberry32): the same seed gives the same sequence in [0, 1). */
export function createSeededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Helpers over one seeded sequence. */
export function createRng(seed: number) {
  const next = createSeededRandom(seed);
  const rng = {
    next,
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
    chance: (p: number): boolean => next() < p,
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    weighted: <T extends readonly [string, ...unknown[]]>(items: readonly T[]): T => {
      const total = items.reduce((sum, item) => sum + (item[item.length - 1] as number), 0);
      let roll = next() * total;
      for (const item of items) {
        roll -= item[item.length - 1] as number;
        if (roll < 0) return item;
      }
      return items[items.length - 1] as T;
    },
    hex: (length: number): string => Array.from({ length }, () => Math.floor(next() * 16).toString(16)).join(""),
    guid: (): string =>
      `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-${rng.pick(["8", "9", "a", "b"])}${rng.hex(3)}-${rng.hex(12)}`,
  };
  return rng;
}

/** The helpers {@link createRng} returns. */
export type Rng = ReturnType<typeof createRng>;
