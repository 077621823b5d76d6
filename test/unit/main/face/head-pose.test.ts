// Head pose from landmarks: the generic face, turned by known angles and projected, must come back
// with those angles; noise and scale must not change the answer much.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateHeadPose, GENERIC_FACE } from '../../../../main/face/head-pose.js';
import type { Point } from '../../../../main/face/landmarks.js';

const RAD = Math.PI / 180;

type M3 = number[][];
const mul = (a: M3, b: M3): M3 => a.map((row) => [0, 1, 2].map((j) => row[0] * b[0][j] + row[1] * b[1][j] + row[2] * b[2][j]));
const rx = (a: number): M3 => [[1, 0, 0], [0, Math.cos(a), -Math.sin(a)], [0, Math.sin(a), Math.cos(a)]];
const ry = (a: number): M3 => [[Math.cos(a), 0, Math.sin(a)], [0, 1, 0], [-Math.sin(a), 0, Math.cos(a)]];
const rz = (a: number): M3 => [[Math.cos(a), -Math.sin(a), 0], [Math.sin(a), Math.cos(a), 0], [0, 0, 1]];

/** 68 image points of the generic face at the given pose (degrees), scale in px per mm, centred at (320, 240). */
function project(yaw: number, pitch: number, roll: number, pxPerMm = 2, noise: () => number = () => 0): Point[] {
  const r = mul(rz(roll * RAD), mul(ry(yaw * RAD), rx(pitch * RAD)));
  const points: Point[] = Array.from({ length: 68 }, () => ({ x: 320, y: 240 }));
  for (const [index, [x, y, z]] of GENERIC_FACE) {
    const cx = r[0][0] * x + r[0][1] * y + r[0][2] * z;
    const cy = r[1][0] * x + r[1][1] * y + r[1][2] * z;
    points[index] = { x: 320 + pxPerMm * cx + noise(), y: 240 - pxPerMm * cy + noise() };
  }
  return points;
}

describe('estimateHeadPose', () => {
  it('gives zero for the frontal generic face', () => {
    const pose = estimateHeadPose(project(0, 0, 0));
    expect(pose.yaw).toBeCloseTo(0, 6);
    expect(pose.pitch).toBeCloseTo(0, 6);
    expect(pose.roll).toBeCloseTo(0, 6);
  });

  it('recovers known yaw, pitch and roll', () => {
    fc.assert(
      fc.property(fc.double({ min: -40, max: 40, noNaN: true }), fc.double({ min: -30, max: 30, noNaN: true }), fc.double({ min: -45, max: 45, noNaN: true }), fc.double({ min: 0.5, max: 6, noNaN: true }), (yaw, pitch, roll, pxPerMm) => {
        const pose = estimateHeadPose(project(yaw, pitch, roll, pxPerMm));
        expect(pose.yaw).toBeCloseTo(yaw, 4);
        expect(pose.pitch).toBeCloseTo(pitch, 4);
        expect(pose.roll).toBeCloseTo(roll, 4);
      }),
    );
  });

  it('names the directions: subject turned left, looking down, tilted to the right shoulder', () => {
    const left = project(20, 0, 0);
    expect(left[30].x).toBeGreaterThan(left[27].x); // the nose tip moves to the image's right
    expect(estimateHeadPose(left).yaw).toBeGreaterThan(15);
    const down = project(0, 20, 0);
    expect(estimateHeadPose(down).pitch).toBeGreaterThan(15);
    const tilted = project(0, 0, 20);
    expect(tilted[45].y).toBeLessThan(tilted[36].y); // the subject's left eye (image right) rises
    expect(estimateHeadPose(tilted).roll).toBeGreaterThan(15);
  });

  it('stays within a few degrees under one-pixel landmark noise', () => {
    let seed = 7;
    const noise = (): number => {
      seed = (seed * 16807) % 2147483647;
      return (seed / 2147483647 - 0.5) * 2;
    };
    const pose = estimateHeadPose(project(15, -10, 5, 1.5, noise));
    expect(Math.abs(pose.yaw - 15)).toBeLessThan(5);
    expect(Math.abs(pose.pitch + 10)).toBeLessThan(5);
    expect(Math.abs(pose.roll - 5)).toBeLessThan(2);
  });
});
