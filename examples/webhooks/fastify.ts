/**
 * Gateway webhooks in a Fastify app: one URL per MID (`POST /webhooks/:mid`), the raw body
 * handed to `router.handleWebhook`.
 *
 * Fastify parses JSON bodies by default, which loses the exact bytes the signature covers. The
 * webhook routes live in their own plugin (an encapsulated context) whose content-type parser
 * keeps every body as a Buffer, so the rest of the app keeps its JSON parsing.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
// In your project: import type { Router } from 'switchyard';
import type { Router } from '../../src/index';

/**
 * Register the webhook route on a Fastify app (a new one by default).
 * @example
 * const app = webhookServer(router);
 * await app.listen({ port: 8080 });
 */
export function webhookServer(router: Router, app: FastifyInstance = Fastify()): FastifyInstance {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { mid: string }; Body: Buffer }>('/webhooks/:mid', async (req, reply) => {
      const result = await router.handleWebhook({ mid: req.params.mid, headers: req.headers, body: req.body ?? Buffer.alloc(0) });
      if (result.isOk()) {
        const { status, headers, body } = result.value.response;
        return reply.code(status).headers(headers).send(body);
      }
      // A bad signature or body: 400. A store failure: 500, so the gateway sends it again.
      return reply
        .code(result.error.kind === 'rejected' ? 400 : 500)
        .type('text/plain')
        .send(result.error.kind);
    });
  });
  return app;
}
