// The fields of the details step for each flow, in the order the form shows them: what kind
// of input each is, or the choices of a select (labelled under `details.<key>.<value>`),
// which may stay empty, and which appear only with the choice "other". The review's summary
// lists the saved details the same way.
import type { z } from 'zod';
import type { CompanyRole, EnrollmentPurpose, Flow, LegalForm } from '../../../main/rpc/contract';

export type Values = Record<string, string>;

interface Choices {
  key: 'purposes' | 'legalForms' | 'roles';
  values: readonly string[];
}

export interface DetailsField {
  name: string;
  input: 'text' | 'textarea' | 'tel' | 'email' | Choices;
  optional?: boolean;
  /** The note that says what "other" means: shown with that choice only. */
  noteFor?: string;
}

const PURPOSES: readonly z.infer<typeof EnrollmentPurpose>[] = ['residence-registration', 'licence-application', 'employment-screening', 'other'];
const LEGAL_FORMS: readonly z.infer<typeof LegalForm>[] = ['sole-trader', 'limited-company', 'partnership', 'association', 'other'];
const ROLES: readonly z.infer<typeof CompanyRole>[] = ['owner', 'director', 'authorised-representative'];

export const DETAILS_FIELDS: Record<Flow, readonly DetailsField[]> = {
  person: [
    { name: 'address', input: 'textarea' },
    { name: 'phone', input: 'tel', optional: true },
    { name: 'email', input: 'email', optional: true },
    { name: 'purpose', input: { key: 'purposes', values: PURPOSES } },
    { name: 'purposeNote', input: 'text', noteFor: 'purpose' },
  ],
  company: [
    { name: 'companyName', input: 'text' },
    { name: 'registrationNumber', input: 'text' },
    { name: 'legalForm', input: { key: 'legalForms', values: LEGAL_FORMS } },
    { name: 'legalFormNote', input: 'text', noteFor: 'legalForm' },
    { name: 'registeredAddress', input: 'textarea' },
    { name: 'role', input: { key: 'roles', values: ROLES } },
  ],
};

/** Whether the form shows `field` with these values (a note only with "other"). */
export function isShown(field: DetailsField, values: Values): boolean {
  return !field.noteFor || values[field.noteFor] === 'other';
}
