// The words of opening a target, shared by the parser (target.ts), the ssh config resolver and the SSH
// transport. Types only: every module of transport/ may import it without forming a cycle.

export type TargetSpec =
  { kind: 'local' } | { kind: 'ssh'; alias: string | null; host: string; user: string | null; port: number | null };

export interface HostKeyInfo {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
}

export interface OpenOptions {
  /** Add an unknown host key to known_hosts without asking (`--accept-new-host-key`). */
  acceptNewHostKey?: boolean;
  askPassword?: (prompt: string) => Promise<string | undefined>;
  askPassphrase?: (keyPath: string) => Promise<string | undefined>;
  /** Asked about an unknown host key when neither acceptNewHostKey nor StrictHostKeyChecking decides. */
  confirmHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** HOME for `~`, ~/.ssh/config and the default key and known_hosts paths. */
  home?: string | undefined;
  /** Instead of ~/.ssh/config; also skips /etc/ssh/ssh_config, as `ssh -F` does. */
  sshConfigPath?: string;
  /** Replaces UserKnownHostsFile. */
  knownHostsPath?: string;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Progress lines for the user; never carries secrets. */
  log?: (line: string) => void;
}
