// The record routes: a whole envelope in one PUT, its status and receipt, the resumable chunked
// upload (create or resume, chunk at the committed offset, read the offset, complete), and the
// signed pages of what became of the kiosk's records.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Authority } from '../authority.js';
import { CompleteUploadRequest, CreateUploadRequest, UploadChunkQuery } from '../../protocol/api.js';
import { RecordStatusQuery } from '../../protocol/record-status.js';
import { RecordId } from '../../protocol/wire-fields.js';
import { acceptEnvelope, recordStatus } from '../record-intake.js';
import { recordStatusPage } from '../record-processing.js';
import { appendChunk, completeUpload, createUpload, uploadState } from '../uploads.js';
import { bodyBytes, jsonBody, pathParameter, query } from './request-parts.js';
import { signedBy } from './signed-requests.js';

const UploadId = z.uuid();

export function registerRecordRoutes(app: FastifyInstance, authority: Authority): void {
  app.put('/v1/records/:recordId', { bodyLimit: authority.limits.recordBodyBytes }, async (request, reply) => {
    const kiosk = signedBy(request);
    const intake = await acceptEnvelope(authority, kiosk, pathParameter(request, 'recordId', RecordId), bodyBytes(request));
    return reply.status(intake.created ? 201 : 200).send(intake.stored);
  });

  app.get('/v1/records/:recordId', async (request) => {
    const kiosk = signedBy(request);
    return recordStatus(authority, kiosk, pathParameter(request, 'recordId', RecordId));
  });

  app.post('/v1/records/:recordId/uploads', async (request, reply) => {
    const kiosk = signedBy(request);
    const { created, response } = await createUpload(authority, kiosk, pathParameter(request, 'recordId', RecordId), jsonBody(request, CreateUploadRequest));
    return reply.status(created ? 201 : 200).send(response);
  });

  app.get('/v1/uploads/:uploadId', async (request) => {
    const kiosk = signedBy(request);
    return uploadState(authority, kiosk, pathParameter(request, 'uploadId', UploadId));
  });

  app.put('/v1/uploads/:uploadId', { bodyLimit: authority.limits.chunkBytes }, async (request) => {
    const kiosk = signedBy(request);
    const { offset } = query(request, UploadChunkQuery);
    return appendChunk(authority, kiosk, pathParameter(request, 'uploadId', UploadId), offset, bodyBytes(request));
  });

  app.get('/v1/record-status', async (request) => {
    const kiosk = signedBy(request);
    return recordStatusPage(authority, kiosk, query(request, RecordStatusQuery).after);
  });

  app.post('/v1/uploads/:uploadId/complete', async (request, reply) => {
    const kiosk = signedBy(request);
    const intake = await completeUpload(authority, kiosk, pathParameter(request, 'uploadId', UploadId), jsonBody(request, CompleteUploadRequest));
    return reply.status(intake.created ? 201 : 200).send(intake.stored);
  });
}
