// How an officer and a supervisor name a held enrollment to each other (it has no number until
// it is sealed): the first 8 characters of its id, in capitals.
export const heldReference = (enrollmentId: string): string => enrollmentId.slice(0, 8).toUpperCase();
