// What the runner baked into this bundle (esbuild `define`): the extension host does not get the runner's
// environment on every runner, so nothing here is read from env vars.
export interface SuiteConfig {
  /** Names the results file: server, server-vsix, electron. */
  runner: string;
  /** Absolute path of test-output/results-vscode-<runner>.json. */
  resultsFile: string;
  repoRoot: string;
  extensionId: string;
  /** The repo's folder (extensionDevelopmentPath), or the extensions dir the .vsix was installed into. */
  extensionLocation: { developmentPath: string } | { installedIn: string };
  /** dockerMonitor.refreshInterval as written into the settings (seconds). */
  refreshIntervalSeconds: number;
  /** Target ids of the SSH targets the settings declare, or null when the test sshd is not up. */
  ssh: { okTargetId: string; badKeyTargetId: string } | null;
  sshSkipReason: string | null;
  /** The history folders the runners may use, and the files planted there before VS Code started. */
  history: { dirs: string[]; planted: { stale: string; recent: string } };
}

declare const __DM_SUITE_CONFIG__: SuiteConfig;

export const config: SuiteConfig = __DM_SUITE_CONFIG__;
