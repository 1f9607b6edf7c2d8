/** The default cluster.yaml's nodes, as the pure judgements read them (name and lab address). */
export const LAB_NODES = [
  { name: 'server', address: '10.77.0.10' },
  { name: 'client1', address: '10.77.0.11' },
  { name: 'client2', address: '10.77.0.12' },
] as const;
