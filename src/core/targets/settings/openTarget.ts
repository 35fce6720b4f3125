// A configured target (a settings entry) through the one door, transport/target.openTransport: its identityFile
// and jump are the connection's overrides (see transport/sshOverrides.ts).
import { openTransport } from '../../transport/target';
import type { OpenOptions } from '../../transport/target';
import type { Transport } from '../../transport/types';
import { targetSpec } from './targetConfig';
import type { TargetDefinition } from './targetConfig';

export async function openTarget(def: TargetDefinition, options: OpenOptions = {}): Promise<Transport> {
  return openTransport(targetSpec(def), options, def);
}
