// Types of hostileContainer.mjs for the TypeScript integration tests.
export declare const PWNED_GLOBAL: string;
export declare const HOSTILE_ARGS: Record<
  'img' | 'script' | 'commandLink' | 'icon' | 'ansi' | 'bidi' | 'newline' | 'quotes' | 'long',
  string
>;
export declare const HOSTILE_COMM: string;
export declare const COMPOSE_PROJECT: string;
export declare const COMPOSE_SERVICE: string;
export declare const HOSTILE_LABEL_KEY: string;
export declare const HOSTILE_LABEL_VALUE: string;
export declare const INJECTED_SELECTORS: string[];
export declare const SHOWN_CHARS: number;
export declare function truncationMarker(more: number): string;
export declare function removeLeftoverHostileContainers(): void;
export interface HostileContainer {
  name: string;
  id: string;
  pid: number;
  /** /proc/PID/comm without its newline */
  comm: string;
  /** /proc/PID/cmdline split at NULs */
  argv: string[];
  /** docker inspect's Config.Labels */
  labels: Record<string, string>;
}
export declare function startHostileContainer(): HostileContainer;
export declare function removeContainer(name: string): void;
