// The Transport's closed signal on this machine: never a drop, null once close() is called.
import { describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/core/transport/local';
import type { MonitorError } from '../../../src/core/errors';

describe('LocalTransport.onClose', () => {
  it('tells its listeners null once, on close()', async () => {
    const t = new LocalTransport();
    const heard: (MonitorError | null)[] = [];
    t.onClose((e) => heard.push(e));
    const unsubscribed = t.onClose(() => heard.push(new Error('unsubscribed listener called') as MonitorError));
    unsubscribed();
    expect(heard).toEqual([]);
    await t.close();
    await t.close();
    expect(heard).toEqual([null]);
  });

  it('answers a listener that subscribes after close() with null', async () => {
    const t = new LocalTransport();
    await t.close();
    const heard = await new Promise<MonitorError | null>((resolve) => t.onClose(resolve));
    expect(heard).toBeNull();
  });
});
