/**
 * Seeded randomness for the demo: every draw (card mix, amounts, gateway answers, latencies)
 * comes from one of these generators, so a seed reproduces a run's mix.
 * @module
 */

/** A uniform random source in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: a small, fast, seeded PRNG.
 * @example
 * const rnd = seeded(7); rnd(); // 0.… (same every run)
 */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a base seed and a name, so each MID gets its own independent stream. */
export function seedFor(seed: number, name: string): number {
  let h = seed ^ 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Pick from `[value, weight]` pairs in proportion to the weights. */
export function pickWeighted<T>(random: Random, options: ReadonlyArray<readonly [T, number]>): T {
  const total = options.reduce((n, [, w]) => n + w, 0);
  let r = random() * total;
  for (const [value, weight] of options) {
    r -= weight;
    if (r < 0) return value;
  }
  return options[options.length - 1][0];
}

/**
 * A synthetic card number: `bin`, random digits, and a Luhn check digit. Test numbers for the
 * simulation only; they stay in memory and are never printed.
 */
export function syntheticPan(random: Random, bin: string, length: number): string {
  let body = bin;
  while (body.length < length - 1) body += Math.floor(random() * 10).toString();
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Double every second digit counting from the right of the full number (the check digit is position 0).
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return body + ((10 - (sum % 10)) % 10).toString();
}
