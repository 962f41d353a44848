/**
 * A stand-in for a merchant's PCI vault provider, for tests: it keeps test cards in memory and
 * gives them back by reference, and counts what it was asked. Only test code may hold cards so.
 */
import type { CardVault, VaultContext } from '../../src/subscriptions/vault';
import type { CardInput } from '../../src/types';

/** The test vault, with its books. */
export interface TestVault extends CardVault {
  /** Cards by reference. */
  readonly cards: Map<string, CardInput>;
  /** Every call, in order. */
  readonly calls: Array<{ op: 'store' | 'reveal'; reference?: string; context: VaultContext }>;
}

/** A test vault; `gatewayVaults` as given (default true). */
export function testVault(options: { gatewayVaults?: boolean; name?: string } = {}): TestVault {
  const cards = new Map<string, CardInput>();
  const calls: TestVault['calls'] = [];
  let n = 0;
  return {
    name: options.name ?? 'test-pci',
    gatewayVaults: options.gatewayVaults ?? true,
    cards,
    calls,
    async store(card, context) {
      const reference = `vref_${++n}`;
      cards.set(reference, { ...card });
      calls.push({ op: 'store', reference, context });
      return reference;
    },
    async reveal(reference, context) {
      calls.push({ op: 'reveal', reference, context });
      const c = cards.get(reference);
      return c && { ...c };
    },
  };
}
