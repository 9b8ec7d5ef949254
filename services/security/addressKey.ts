/**
 * The key an address is counted and throttled under: IPv4 as is (also when mapped
 * into IPv6), IPv6 by its /64 — one host usually holds a whole /64, so counting
 * single IPv6 addresses would let it open 2^64 of them.
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const groups = head ? head.split(':') : [];
  if (groups.length < 4) {
    const rest = tail ? tail.split(':') : [];
    const missing = 8 - groups.length - rest.length;
    groups.push(...Array<string>(Math.max(0, missing)).fill('0'), ...rest);
  }
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}
