/**
 * Draws from a Beta distribution with the router's injectable random source (so seeded tests
 * and simulations are reproducible): Beta(α, β) = X / (X + Y) with X ~ Gamma(α), Y ~ Gamma(β),
 * each by Marsaglia and Tsang's method over Box–Muller normals.
 * @module
 */
import type { RandomSource } from './types';

/** A standard normal deviate (Box–Muller; one of the pair is dropped, to stay stateless). */
function normal(random: RandomSource): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** A Gamma(shape, 1) deviate, shape > 0. */
export function gamma(shape: number, random: RandomSource): number {
  // Below 1, Gamma(k) = Gamma(k + 1) · U^(1/k).
  if (shape < 1) return gamma(shape + 1, random) * (1 - random()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * A Beta(alpha, beta) deviate, both > 0.
 * @example
 * betaSample(31, 11, seeded(1)) // ≈ 0.74 (a posterior after 30 approvals of 40)
 */
export function betaSample(alpha: number, beta: number, random: RandomSource): number {
  const x = gamma(alpha, random);
  return x / (x + gamma(beta, random));
}
