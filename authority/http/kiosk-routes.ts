// The routes about the kiosk itself: registration with a one-time token (unsigned; attempts are
// limited per client address), the signed station configuration and operator list it downloads,
// and its audit checkpoints. Its reachability probe, /v1/health, is in health-routes.ts.
import type { FastifyInstance } from 'fastify';
import { storeAuditCheckpoint } from '../audit-checkpoints.js';
import type { Authority } from '../authority.js';
import { apiPaths, AuditCheckpoint, RegisterKioskRequest } from '../../protocol/api.js';
import { latestDocument } from '../published-documents.js';
import { registerKiosk } from '../registration.js';
import { registrationAttempts } from './admission.js';
import { jsonBody } from './request-parts.js';
import { signedBy } from './signed-requests.js';

export function registerKioskRoutes(app: FastifyInstance, authority: Authority): void {
  app.post(apiPaths.kiosks, { config: { unsigned: true }, onRequest: registrationAttempts(authority) }, async (request, reply) =>
    reply.status(201).send(await registerKiosk(authority, jsonBody(request, RegisterKioskRequest))));

  app.get(apiPaths.stationConfig, async (request) => {
    signedBy(request);
    return latestDocument(authority, 'station-config');
  });

  app.get(apiPaths.operators, async (request) => {
    signedBy(request);
    return latestDocument(authority, 'operators');
  });

  app.post(apiPaths.auditCheckpoints, async (request, reply) => {
    const kiosk = signedBy(request);
    const { created, response } = await storeAuditCheckpoint(authority, kiosk, jsonBody(request, AuditCheckpoint));
    return reply.status(created ? 201 : 200).send(response);
  });
}
