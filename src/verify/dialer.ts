import { DIRECT, type Dialer, type Via } from '../remote/dialer.ts';

// The dialers themselves are remote's (bytes and channels); verify picks one per node.
export { DIRECT, failingDialer, fromNode, sshDialer, type Dialer, type Via } from '../remote/dialer.ts';

/** How verify reaches the lab: one dialer per node (by name), which way that is, and why. */
export interface Reach {
  via: Via;
  /** Why this way, for the report, e.g. `no lab address answered from this host`. */
  reason: string;
  dialer(node: string): Dialer;
}

export const DIRECT_REACH: Reach = { via: 'direct', reason: 'the lab addresses, from this host', dialer: () => DIRECT };
