// The update channel's routes, signed by the kiosk's request key like every kiosk route: the
// signed manifest of the newest package for the kiosk's architecture, and the package itself,
// streamed from disk with HTTP Range support (RFC 9110 §14: 206 + Content-Range for one range,
// 416 outside the file, 200 for the whole) so an interrupted download resumes where it stopped.
// The file is content-addressed, so its SHA-256 is a strong ETag and If-Range can rely on it.
import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Authority } from '../authority.js';
import { UpdateLatestQuery, type ApiError } from '../../protocol/api.js';
import { contentRange, interpretRange, unsatisfiedRange } from '../../protocol/byte-range.js';
import { Sha256Hex } from '../../protocol/wire-fields.js';
import { pathParameter, query } from '../http/request-parts.js';
import { signedBy } from '../http/signed-requests.js';
import { latestUpdate, updatePackageFile } from './update-channel.js';

const IfRange = z.string().optional();

export function registerUpdateRoutes(app: FastifyInstance, authority: Authority): void {
  app.get('/v1/updates/latest', async (request) => {
    signedBy(request);
    return latestUpdate(authority, query(request, UpdateLatestQuery).architecture);
  });

  app.get('/v1/updates/packages/:sha256', async (request, reply) => {
    signedBy(request);
    const sha256 = pathParameter(request, 'sha256', Sha256Hex);
    const file = await updatePackageFile(authority, sha256);
    const etag = `"${sha256}"`;
    // If-Range with another validator: the client's partial copy is of something else; send it whole.
    const ifRange = IfRange.parse(request.headers['if-range']);
    const rangeHeader = ifRange === undefined || ifRange === etag ? request.headers.range : undefined;
    const wanted = interpretRange(rangeHeader, file.size);
    reply.header('accept-ranges', 'bytes').header('etag', etag).header('cache-control', 'no-store');
    if (wanted.kind === 'unsatisfiable') {
      return reply.status(416).header('content-range', unsatisfiedRange(file.size)).send({
        code: 'UPDATE_RANGE_NOT_SATISFIABLE', message: `The package has ${file.size} bytes; the requested range lies outside it.`, details: { size: file.size },
      } satisfies ApiError);
    }
    reply.type('application/vnd.debian.binary-package');
    if (wanted.kind === 'whole') return reply.status(200).header('content-length', file.size).send(createReadStream(file.path));
    const { first, last } = wanted.range;
    return reply.status(206)
      .header('content-range', contentRange(wanted.range, file.size))
      .header('content-length', last - first + 1)
      .send(createReadStream(file.path, { start: first, end: last }));
  });
}
