// Opens the envelope store `--envelopes` names, next to the authority's repository: the database
// store uses the repository's own connection; an S3 store takes its server and region from the
// environment (GATEHOUSE_AUTHORITY_S3_ENDPOINT, GATEHOUSE_AUTHORITY_S3_REGION or AWS_REGION) and its
// credentials from the AWS SDK's usual chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a
// profile, an instance role).
import { resolve } from 'node:path';
import type { AuthorityRepository } from '../store/repository.js';
import { DatabaseEnvelopeStore } from './database-envelope-store.js';
import type { EnvelopeStore } from './envelope-store.js';
import { parseEnvelopeStoreSpec } from './envelope-store-spec.js';
import { openFileEnvelopeStore } from './file-envelope-store.js';
import { S3EnvelopeStore } from './s3-envelope-store.js';

export async function openEnvelopeStore(
  spec: string | undefined, repository: AuthorityRepository, clock: () => Date, env: NodeJS.ProcessEnv = process.env,
): Promise<EnvelopeStore> {
  const parsed = parseEnvelopeStoreSpec(spec);
  switch (parsed.kind) {
    case 'db':
      return new DatabaseEnvelopeStore(repository.envelopeRows(), clock);
    case 'file':
      return openFileEnvelopeStore(resolve(parsed.dir));
    case 's3':
      return new S3EnvelopeStore({
        bucket: parsed.bucket,
        prefix: parsed.prefix,
        endpoint: env.GATEHOUSE_AUTHORITY_S3_ENDPOINT || undefined,
        region: env.GATEHOUSE_AUTHORITY_S3_REGION || env.AWS_REGION || 'us-east-1',
      });
  }
}
