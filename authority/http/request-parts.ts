// Reading a Fastify request the way the authority routes need it: the raw body bytes (read only
// after the signature hooks of signed-requests.ts let the request in), and JSON bodies, path
// parameters and queries checked against the shared schemas.
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { AuthorityError } from '../authority-error.js';

export const bodyBytes = (request: FastifyRequest): Buffer => (Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));

function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new AuthorityError(400, 'REQUEST_INVALID', `The ${what} is invalid${where}: ${issue?.message}.`, { field: issue?.path.join('.') ?? '' });
  }
  return parsed.data;
}

export function jsonBody<T>(request: FastifyRequest, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(bodyBytes(request).toString('utf8'));
  } catch {
    throw new AuthorityError(400, 'BODY_NOT_JSON', 'The request body is not JSON.');
  }
  return checked(schema, value, 'request body');
}

export const pathParameter = <T>(request: FastifyRequest, name: string, schema: z.ZodType<T>): T =>
  checked(schema, (request.params as Record<string, string>)[name], `${name} in the path`);

export const query = <T>(request: FastifyRequest, schema: z.ZodType<T>): T => checked(schema, request.query, 'query');
