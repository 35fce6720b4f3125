import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { namespaceInodeFromLink } from '../../../src/core/parse/links';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('namespaceInodeFromLink', () => {
  it('reads the real /proc/PID/ns links of a container (dm-unlimited)', () => {
    const links = new Map(
      fixture('proc/container-ns-links')
        .trim()
        .split('\n')
        .map((l) => l.split(' -> ') as [string, string]),
    );
    expect(namespaceInodeFromLink(links.get('net') ?? '')).toEqual({ type: 'net', inode: 4026532259 });
    expect(namespaceInodeFromLink(links.get('pid') ?? '')).toEqual({ type: 'pid', inode: 4026532258 });
    expect(namespaceInodeFromLink(links.get('mnt') ?? '')).toEqual({ type: 'mnt', inode: 4026532255 });
    // The container shares the host's cgroup, user and time namespaces (docker defaults on cgroup v1).
    expect(namespaceInodeFromLink(links.get('cgroup') ?? '')).toEqual({ type: 'cgroup', inode: 4026531835 });
    expect(namespaceInodeFromLink(links.get('user') ?? '')).toEqual({ type: 'user', inode: 4026531837 });
    // pid_for_children names the pid namespace, not a type of its own.
    expect(namespaceInodeFromLink(links.get('pid_for_children') ?? '')).toEqual({ type: 'pid', inode: 4026532258 });
    expect(namespaceInodeFromLink(links.get('time') ?? '')).toEqual({ type: 'time', inode: 4026531834 });
  });

  it('tolerates the whitespace a readlink line carries', () => {
    expect(namespaceInodeFromLink('net:[4026531840]\n')).toEqual({ type: 'net', inode: 4026531840 });
    expect(namespaceInodeFromLink(' net:[1] ')).toEqual({ type: 'net', inode: 1 });
  });

  it.each([
    '',
    'net:[]',
    'net:[12x]',
    'net:4026531840',
    'socket:[-1]',
    '../net:[1]',
    'NET:[1]',
    'net:[1]x',
    '\0',
    'a'.repeat(5000),
  ])('rejects %j', (target) => {
    expect(namespaceInodeFromLink(target)).toBeNull();
  });
});
