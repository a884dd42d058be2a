// The state an nftables transaction starts from and leaves behind: what the kernel holds
// after the syncs so far (per Service port), and what a planned transaction looks like.
import { ELEMENT_SETS, type ElementSet, type PortRender } from './render.js';

export const T = 'ip kube-proxy';
/** Elements per `add element` statement: long enough to be cheap, short enough to read. */
export const BATCH = 1000;
export const SETS = Object.keys(ELEMENT_SETS) as ElementSet[];

export interface Existing {
  /** Per-Service chains in the kernel now. */
  chains: Set<string>;
  /** Affinity sets → their timeout in seconds. */
  affinity: Map<string, number | undefined>;
}

export interface Element { rest: string; refs: number }

/** What the kernel holds after the syncs so far. */
export class TableState {
  ports = new Map<string, PortRender>();
  chains = new Map<string, string[]>();
  elements = new Map<ElementSet, Map<string, Element>>(SETS.map((s) => [s, new Map()]));
  affinity = new Map<string, number>();
}

export interface NftPlan {
  text: string;
  written: number;
  /** Chains flushed now because nothing needs them; delete them later. */
  stale: string[];
  deletedSets: number;
  /** The state this plan starts from (a new one on full syncs); commit() updates it. */
  state: TableState;
  /** Records the change in the state once the transaction succeeded. */
  commit(): void;
}

