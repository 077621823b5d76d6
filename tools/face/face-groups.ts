// Who belongs to which group in the development face sets (region of origin, and relatives),
// read from tools/face/face-groups.json, so that the calibration report can say where the
// false matches fall: a model that confuses one group's faces more than others' shows it here.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { GatehouseError } from '../../main/errors.js';
import { projectRoot } from '../../main/kiosk/project-root.js';

export const UNKNOWN_GROUP = 'unknown';
/** The group pair of impostor pairs between relatives, counted apart from the regions. */
export const RELATIVES = 'relatives';

const setGroupsSchema = z.object({
  /** Person (as the set names them) → group. A person not listed is in UNKNOWN_GROUP. */
  people: z.record(z.string().min(1), z.string().min(1)),
  /** Pairs of people of one family. */
  relatives: z.array(z.tuple([z.string().min(1), z.string().min(1)])).default([]),
});

export const faceGroupsSchema = z.object({
  about: z.string().optional(),
  sets: z.record(z.string().min(1), setGroupsSchema),
});

export type FaceGroups = z.infer<typeof faceGroupsSchema>;

export const DEFAULT_FACE_GROUPS_FILE = join(projectRoot, 'tools', 'face', 'face-groups.json');

export async function readFaceGroups(file: string = DEFAULT_FACE_GROUPS_FILE): Promise<FaceGroups> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new GatehouseError('FACE_DATA_MISSING', `Cannot read the face groups file ${file}.`, { path: file });
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GatehouseError('FACE_SET_INVALID', `${file} is not JSON.`, { path: file });
  }
  const parsed = faceGroupsSchema.safeParse(json);
  if (!parsed.success) throw new GatehouseError('FACE_SET_INVALID', `${file} is not a face groups file: ${parsed.error.message}`, { path: file });
  return parsed.data;
}

export function groupOf(groups: FaceGroups, set: string, identity: string): string {
  return groups.sets[set]?.people[identity] ?? UNKNOWN_GROUP;
}

export function areRelatives(groups: FaceGroups, set: string, a: string, b: string): boolean {
  return (groups.sets[set]?.relatives ?? []).some(([x, y]) => (x === a && y === b) || (x === b && y === a));
}

/** The group pair an impostor pair falls in, the same whichever face comes first: "East Asian–European", or "relatives". */
export function groupPairOf(groups: FaceGroups, set: string, a: string, b: string): string {
  if (areRelatives(groups, set, a, b)) return RELATIVES;
  return [groupOf(groups, set, a), groupOf(groups, set, b)].sort().join('–');
}
