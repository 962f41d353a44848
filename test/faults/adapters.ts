/**
 * Adapters of the fault suite's MIDs, one per fake gateway (no fake imported here: the crash
 * test's child process builds its router from this module alone).
 */
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { stripe } from '../../adapters/stripe';
import type { GatewayAdapter } from '../../src/adapter';

export const STRIPE_KEY = 'sk_test_faultSuiteKey00000000000';
export const CHECKOUT_SECRET = 'sk_sbox_faultsuitekey000000000000000';
export const NMI_KEY = 'fault_suite_key';

/**
 * The adapter of each fake's MID. `attemptMs` of the router bounds every call; the adapters'
 * own timeouts are longer. Stripe may scan many pages to find a reference in a long run.
 */
export function adapterFor(g: { gateway: string; url: string }, secrets?: Readonly<Record<string, string>>): GatewayAdapter {
  const base = { baseUrl: g.url, timeoutMs: 5_000, ...(secrets?.[g.gateway] && { webhookSecret: secrets[g.gateway] }) };
  switch (g.gateway) {
    case 'stripe':
      return stripe({ secretKey: STRIPE_KEY, lookupMaxPages: 500, ...base });
    case 'adyen':
      return adyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM', returnUrl: 'https://shop.example/return', ...base });
    case 'checkout':
      return checkout({ secretKey: CHECKOUT_SECRET, ...base });
    case 'nmi':
      return nmi({ securityKey: NMI_KEY, ...base });
    case 'authorizenet':
      return authorizenet({ apiLoginId: 'swyd_login', transactionKey: 'swyd_key_123456', ...base });
    case 'braintree':
      return braintree({ publicKey: 'pk_test_fake', privateKey: 'sk_test_fake', merchantAccountId: 'acme_usd', ...base });
    default:
      throw new Error(`no adapter for ${g.gateway}`);
  }
}
