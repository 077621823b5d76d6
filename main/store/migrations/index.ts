// Every schema migration in version order; append new ones, never edit a released one.
import type { Migration } from '../migrate.js';
import { operatorsSettings } from './0001-operators-settings.js';
import { audit } from './0002-audit.js';
import { enrollmentsOutbox } from './0003-enrollments-outbox.js';

export const allMigrations: readonly Migration[] = [operatorsSettings, audit, enrollmentsOutbox];
