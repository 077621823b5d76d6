// An exception's evidence on its own, and the pictures a screen gets: the officer's photo is
// kept only when it decodes as an image (anything else is EXCEPTION_PHOTO_UNREADABLE), a
// screen's view carries the photo only as a flag, and enrollmentMedia hands out every face,
// finger image and exception photo as a data: URL, with nothing where there is no picture.

import { describe, expect, it } from 'vitest';
import { enrollmentMedia } from '../../../../main/enrollment/enrollment-media.js';
import { evidenceView, recordEvidence } from '../../../../main/enrollment/exception-evidence.js';
import { EnrollmentMedia, FaceExceptionView } from '../../../../main/rpc/schemas.js';
import { exceptionPhoto } from '../../../fixtures/exception-photo.js';
import {
  containsBytes, faceException, faceOutcome, fingerCapture, fingerException, livenessException, OFFICER, onReview,
} from './sample-enrollments.js';

const AT = new Date('2024-06-15T12:07:00Z');
const dataUrl = (type: 'jpeg' | 'png', bytes: Uint8Array) => `data:image/${type};base64,${Buffer.from(bytes).toString('base64')}`;

describe('recordEvidence', () => {
  it('keeps the reason, note, officer, time and the decoded photo bytes', () => {
    const photo = exceptionPhoto(30);
    const evidence = recordEvidence({ reason: 'injured', note: 'Bandaged face', photo }, OFFICER, AT);
    expect(evidence).toEqual({ reason: 'injured', note: 'Bandaged face', by: OFFICER, at: '2024-06-15T12:07:00.000Z', photo: expect.any(Uint8Array) });
    expect(Buffer.from(evidence.photo!).toString('base64')).toBe(photo);
  });

  it('keeps no photo when none was taken, and no officer for a person alone', () => {
    expect(recordEvidence({ reason: 'no-camera', note: 'Camera is broken', photo: null }, null, AT)).toMatchObject({ photo: null, by: null });
  });

  it.each<[string, string]>([
    ['text', Buffer.from('not a picture at all').toString('base64')],
    ['a JPEG cut short', Buffer.from(exceptionPhoto(), 'base64').subarray(0, 200).toString('base64')],
    ['a JPEG start and nothing else', Buffer.from([0xff, 0xd8, 0xff, 0xe0]).toString('base64')],
    ['nothing', ''],
  ])('refuses %s as a photo', (_name, photo) => {
    expect(() => recordEvidence({ reason: 'other', note: 'Something', photo }, OFFICER, AT))
      .toThrow(expect.objectContaining({ name: 'GatehouseError', code: 'EXCEPTION_PHOTO_UNREADABLE', message: expect.stringContaining('take it again') }));
  });
});

describe('evidenceView', () => {
  it('shows the photo as a flag, never its bytes', () => {
    const view = evidenceView(faceException(OFFICER));
    expect(view).toEqual({ reason: 'cannot-face-camera', note: 'Wears a medical face covering', by: OFFICER, at: faceException().at, photo: true });
    expect(FaceExceptionView.parse(view)).toEqual(view);
    expect(containsBytes(view)).toBe(false);
    expect(evidenceView(faceException(OFFICER, null)).photo).toBe(false);
  });
});

describe('enrollmentMedia', () => {
  it('gives both faces, the liveness exception photo, each finger image and each finger exception photo', () => {
    const enrollment = onReview('person', {
      face: { outcome: faceOutcome({ livenessPassed: false, capture: 'officer' }), livenessException: livenessException(), by: OFFICER },
      fingers: [fingerCapture(2), fingerException(7)],
    });
    const media = enrollmentMedia(enrollment);
    expect(EnrollmentMedia.parse(media)).toEqual(media);
    expect(media).toEqual({
      documentPortrait: dataUrl('jpeg', faceOutcome().documentPortrait),
      livePortrait: dataUrl('jpeg', faceOutcome().livePortrait),
      faceExceptionPhoto: null,
      livenessExceptionPhoto: dataUrl('jpeg', livenessException().photo!),
      fingers: [
        { position: 2, image: dataUrl('png', fingerCapture(2).png), exceptionPhoto: null },
        { position: 7, image: null, exceptionPhoto: dataUrl('jpeg', fingerException(7).photo!) },
      ],
    });
  });

  it('gives the face exception photo in the company flow, and nothing where there is no picture', () => {
    expect(enrollmentMedia(onReview('company', { faceException: faceException(OFFICER) }))).toEqual({
      documentPortrait: null, livePortrait: null, faceExceptionPhoto: dataUrl('jpeg', faceException().photo!), livenessExceptionPhoto: null, fingers: [],
    });
    const closed = onReview('person', { fingers: [fingerException(2, { photo: null })] });
    expect(enrollmentMedia(closed).fingers).toEqual([{ position: 2, image: null, exceptionPhoto: null }]);
    closed.close();
    expect(enrollmentMedia(closed)).toEqual({
      documentPortrait: null, livePortrait: null, faceExceptionPhoto: null, livenessExceptionPhoto: null, fingers: [],
    });
  });
});
