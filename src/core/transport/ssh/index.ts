// The SSH transport. connect.ts opens the connection (auth.ts, hostKeyPolicy.ts per hop); transport.ts is the
// Transport over it, with channels.ts (exec channels, watchdog.ts) and dockerSocket.ts.
export { SshTransport } from './transport';
