// The "Docker Monitor" output channel: what was collected, from where and how long it took, and connection
// events. Only engine progress lines and our own messages reach it; the SSH prompts never log what was typed.
import * as vscode from 'vscode';

const OUTPUT_CHANNEL_NAME = 'Docker Monitor';

export type Log = vscode.LogOutputChannel;

export function createLog(context: vscode.ExtensionContext): Log {
  const channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  context.subscriptions.push(channel);
  return channel;
}

/** One line for the user from anything thrown. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0];
}
