import fp from 'fastify-plugin';
import helmet from 'helmet';
import { httpsOnly } from '../cookies.js';

/**
 * Security headers (CSP, HSTS, frame and sniffing rules) on every answer, worked out once:
 * @fastify/helmet built Helmet's middleware (and parsed the CSP) again on every request.
 */
export default fp(
  async (app) => {
    const { config } = app;
    const https = httpsOnly(config);
    const mediaOrigins = app.storage.mediaOrigins;
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:', 'blob:', ...mediaOrigins, 'https://*.googleusercontent.com'],
          mediaSrc: ["'self'", 'blob:', ...mediaOrigins],
          connectSrc: ["'self'", ...mediaOrigins],
          formAction: ["'self'", 'https://checkout.stripe.com', ...(config.STRIPE_API_URL ? [new URL(config.STRIPE_API_URL).origin] : []), ...(config.googleEnabled ? [new URL(config.GOOGLE_AUTH_URL).origin] : [])],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: https ? [] : null,
        },
      },
      crossOriginEmbedderPolicy: false,
      strictTransportSecurity: https,
    });
    app.addHook('onRequest', (req, reply, done) => securityHeaders(req.raw, reply.raw, (err) => done(err as Error | undefined)));
  },
  { name: 'security-headers', dependencies: ['context'] },
);
