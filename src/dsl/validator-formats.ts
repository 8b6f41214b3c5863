/** The schema's custom formats, shared by the build-time generator and the generated validators. */
import { isIP } from 'node:net';
import { parseCidr } from '../model/ip.js';

export const formats = {
  ip: { type: 'string' as const, validate: (s: string): boolean => isIP(s) !== 0 },
  cidr: { type: 'string' as const, validate: (s: string): boolean => parseCidr(s) !== undefined },
};
