// The shapes of the lab's secrets, for the modules that hold them (state) and those that write them into
// configs (render): types only, so neither imports the other.

/**
 * The lab's ACL tokens, each a secret made on the host (a random UUID, which Consul and Nomad take as a
 * token's SecretID) and kept in the state folder: Consul's servers create the management token from their
 * config (`initial_management`), Nomad takes its own at bootstrap (`BootstrapSecret`), and the others are
 * created by `up` with their policies. Knowing them before the agents start keeps configs stable across runs.
 */
export interface AclTokens {
  /** Consul's management token: nomad-lab's own requests to Consul. */
  consulManagement: string;
  /** Every Consul agent's own token (node write, service read). */
  consulAgent: string;
  /** What Consul's DNS answers with (node and service read). */
  consulDns: string;
  /** Nomad agents' token for Consul (the policy Nomad's Consul ACL guide gives). */
  consulNomad: string;
  /** Nomad's management token: nomad-lab's own requests to Nomad. */
  nomadManagement: string;
}

/** What a node gets of the lab's `security`: the tokens its agents use, its certificate and the CA. */
export interface NodeSecurity {
  acl?: Pick<AclTokens, 'consulManagement' | 'consulAgent' | 'consulDns' | 'consulNomad'>;
  tls?: { ca: string; cert: string; key: string };
}
