// The webview's side of the protocol: a typed wrapper over acquireVsCodeApi (which may be called only once).
import type { ExtensionMessage, WebviewMessage } from '../../shared/protocol';
import { isExtensionMessage } from '../../shared/protocol';
import type { PanelState } from '../../core/panels/webviewState';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): unknown;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface Host {
  post(message: WebviewMessage): void;
  /** The state saved before a hide or a window reload, unchecked (each panel checks what it reads). */
  readonly savedState: unknown;
  saveState(state: PanelState): void;
}

let api: VsCodeApi | undefined;

/**
 * Listens for the extension's messages; anything that is not a valid ExtensionMessage is dropped. The caller
 * posts 'ready' once it has read its saved state, and the extension answers with the subject and the data.
 */
export function connectHost(onMessage: (message: ExtensionMessage) => void): Host {
  api ??= acquireVsCodeApi();
  const vscode = api;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (isExtensionMessage(event.data)) onMessage(event.data);
  });
  return {
    post: (m) => vscode.postMessage(m),
    savedState: vscode.getState(),
    saveState: (s) => {
      vscode.setState(s);
    },
  };
}
