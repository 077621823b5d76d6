// Every fuzz target, in the order the runner reports them.
import type { FuzzTarget } from '../fuzz-target.js';
import { nativeTargets } from './native-targets.js';
import { emrtdTargets } from './emrtd-targets.js';
import { protocolTargets } from './protocol-targets.js';
import { kioskTargets } from './kiosk-targets.js';
import { authorityHttpTargets } from './authority-http-targets.js';

export const allTargets: readonly FuzzTarget<never>[] = [
  ...nativeTargets, ...emrtdTargets, ...protocolTargets, ...kioskTargets, ...authorityHttpTargets,
];
