// One seedable pseudo-random generator for everything that must be reproducible from a seed:
// the demo build, the incident simulator and the benchmarks' synthetic data. Pure.

/** mulberry32: a small, fast, seedable PRNG returning numbers in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
