/**
 * Gateway webhooks in an Express app: one URL per MID (`POST /webhooks/:mid`, the URL you give
 * the gateway for that merchant account), the raw body handed to `router.handleWebhook`.
 *
 * The usual mistake is a JSON body parser (`app.use(express.json())`) in front of this route: it
 * parses and re-serialises the body, and no signature verifies any more. `express.raw()` on the
 * route keeps the bytes as they came (a Buffer), whatever the content type (Braintree posts a form).
 * @module
 */
import express, { type Express } from 'express';
// In your project: import type { Router } from 'switchyard';
import type { Router } from '../../src/index';

/**
 * Mount the webhook route on an Express app (a new one by default).
 * @example
 * const app = webhookApp(router);
 * app.listen(8080); // the gateway posts to https://shop.example/webhooks/<mid>
 */
export function webhookApp(router: Router, app: Express = express()): Express {
  app.post('/webhooks/:mid', express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const result = await router.handleWebhook({ mid: req.params.mid, headers: req.headers, body: req.body });
    if (result.isOk()) {
      const { status, headers, body } = result.value.response;
      res.status(status).set(headers).send(body);
      return;
    }
    // A bad signature or body: 400, the gateway will not be believed. A store failure: 500, it sends it again.
    res
      .status(result.error.kind === 'rejected' ? 400 : 500)
      .type('text/plain')
      .send(result.error.kind);
  });
  return app;
}
