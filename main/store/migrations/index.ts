// Every schema migration in version order; append new ones, never edit a released one.
import type { Migration } from '../migrate.js';
import { operatorsSettings } from './0001-operators-settings.js';
import { audit } from './0002-audit.js';
import { enrollmentsOutbox } from './0003-enrollments-outbox.js';
import { operatorFingers } from './0004-operator-fingers.js';
import { kioskIdentity } from './0005-kiosk-identity.js';
import { sealedPayloads } from './0006-sealed-payloads.js';
import { authoritySync } from './0007-authority-sync.js';
import { enrollmentWorkflow } from './0008-enrollment-workflow.js';
import { numbersSlipsStatus } from './0009-numbers-slips-status.js';
import { deviceKinds } from './0010-device-kinds.js';
import { cscaCertificates } from './0011-csca-certificates.js';
import { kioskKeysInStore } from './0012-kiosk-keys-in-store.js';
import { pinThrottle } from './0013-pin-throttle.js';
import { jobs } from './0014-jobs.js';
import { updateKey } from './0015-update-key.js';
import { authorityKeyRotation } from './0016-authority-key-rotation.js';
import { outboxFaultCodes } from './0017-outbox-fault-codes.js';

export const allMigrations: readonly Migration[] = [
  operatorsSettings, audit, enrollmentsOutbox, operatorFingers, kioskIdentity, sealedPayloads, authoritySync, enrollmentWorkflow,
  numbersSlipsStatus, deviceKinds, cscaCertificates, kioskKeysInStore, pinThrottle, jobs, updateKey, authorityKeyRotation, outboxFaultCodes,
];
