// Runs the nft tool: one `nft -f -` per transaction, terse JSON listings of what the
// kube-proxy table holds, and deleting the table for `--cleanup`. A command prefix (e.g.
// `ip netns exec NS`) lets tests and per-node namespaces program another namespace.
import { runTool, warmToolRunner } from '../tool-runner.js';
import { isAffinitySet, isSyncedChain, TABLE } from './names.js';
import type { Existing } from './transaction.js';

/**
 * nft holds a whole transaction in memory (~580 MB for 10,000 Services) and a fifth of its
 * CPU went to page faults on fresh heap pages: transparent huge pages for its heap cut its
 * faults from ~143,000 to ~13,000 and its CPU time by ~20 % (glibc >= 2.35; ignored elsewhere).
 */
const NFT_ENV = { ...process.env, GLIBC_TUNABLES: [process.env.GLIBC_TUNABLES, 'glibc.malloc.hugetlb=1'].filter(Boolean).join(':') };

export class NftError extends Error {
  constructor(message: string, readonly notFound: boolean) { super(message); }
}

export class Nft {
  constructor(readonly prefix: string[] = [], readonly bin = 'nft') { warmToolRunner(); }

  run(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
    return runTool([...this.prefix, this.bin, ...args], { input, env: NFT_ENV }).catch((e: Error) => {
      throw new NftError(`${this.bin}: ${e.message} (is the nftables package installed?)`, false);
    });
  }

  /** Applies one transaction: all of it or, on any error, none of it. */
  async apply(text: string): Promise<void> {
    const r = await this.run(['-f', '-'], text);
    if (r.code !== 0) {
      const first = r.stderr.split('\n').filter(Boolean).slice(0, 3).join(' | ');
      throw new NftError(`nft -f failed (${r.code}): ${first}`, /No such file or directory/.test(r.stderr));
    }
  }

  /** The per-Service and endpoints-N chains and the affinity sets in the kube-proxy table now. */
  async existing(): Promise<Existing> {
    const out: Existing = { chains: new Set(), affinity: new Map() };
    const list = async (what: string): Promise<Record<string, { table?: string; name?: string; timeout?: number }>[]> => {
      const r = await this.run(['-t', '-j', 'list', what, 'ip']);
      if (r.code !== 0) throw new NftError(`nft list ${what} failed: ${r.stderr.trim()}`, false);
      return (JSON.parse(r.stdout) as { nftables: Record<string, { table?: string; name?: string; timeout?: number }>[] }).nftables;
    };
    // independent listings: two nft processes at once instead of one after the other
    const [chains, sets] = await Promise.all([list('chains'), list('sets')]);
    for (const o of chains) {
      if (o.chain?.table === TABLE && o.chain.name && isSyncedChain(o.chain.name)) out.chains.add(o.chain.name);
    }
    for (const o of sets) {
      if (o.set?.table === TABLE && o.set.name && isAffinitySet(o.set.name)) out.affinity.set(o.set.name, o.set.timeout);
    }
    return out;
  }

  /** `--cleanup`: deletes the whole table (every chain, set and map in it). */
  async cleanup(): Promise<boolean> {
    const r = await this.run(['delete', 'table', 'ip', TABLE]);
    if (r.code === 0) return true;
    if (/No such file or directory/.test(r.stderr)) return false;
    throw new NftError(`nft delete table ip ${TABLE}: ${r.stderr.trim()}`, false);
  }
}
