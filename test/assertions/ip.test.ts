import { describe, expect, it } from 'vitest';
import { firstHostAddress, inCidr } from '../../src/model/ip.js';

describe('CIDR helpers the backends share', () => {
  it('a pod gateway exists only for IPv4 CIDRs with room for hosts', () => {
    expect(firstHostAddress('10.10.1.0/30')).toBe('10.10.1.1');
    expect(firstHostAddress('10.10.1.0/31')).toBeUndefined();
    expect(firstHostAddress('fd00::/64')).toBeUndefined();
    expect(firstHostAddress('10.10.1.0')).toBeUndefined();
  });

  it('inCidr matches addresses inside the range only, and nothing for malformed input', () => {
    expect(inCidr('10.10.1.200', '10.10.1.0/24')).toBe(true);
    expect(inCidr('10.10.2.1', '10.10.1.0/24')).toBe(false);
    expect(inCidr('8.8.8.8', '0.0.0.0/0')).toBe(true);
    expect(inCidr('10.10.1.1', 'nonsense')).toBe(false);
    expect(inCidr('not-an-ip', '10.10.1.0/24')).toBe(false);
  });
});
