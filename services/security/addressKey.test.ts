import { describe, expect, it } from 'vitest';
import { addressKey } from './addressKey.js';

describe('addressKey', () => {
  it('counts IPv4 as is, mapped IPv4 as IPv4, IPv6 by /64', () => {
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
