// Lease ids are int64: etcdctl prints them in hex ("lease 694d7e3b1a2f0c05 granted ..."),
// etcd3 hands them back as decimal strings. JSON numbers would lose precision, so tests
// compare hex strings.
export function leaseFromGrant(stdout: string): string {
  const m = /^lease ([0-9a-f]+) granted with TTL\((\d+)s\)$/m.exec(stdout);
  if (!m) throw new Error(`not a lease grant line: ${JSON.stringify(stdout)}`);
  return m[1]!;
}

export function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString(10);
}

export function decimalToHex(dec: string | number | bigint): string {
  return BigInt(dec).toString(16);
}
