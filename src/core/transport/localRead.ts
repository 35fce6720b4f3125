// Reading one file of the machine we run on the way the sh batch script does: a path that vanished or
// cannot be read is left out, a FIFO or device is never opened blocking. Apart from the batch's order (localBatch.ts)
// because these are the rules that must match the script's 2>/dev/null and `grep -d skip -D skip`.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';

/** Most /proc and sysfs files fit in one read of this size; larger ones are read in several. */
const READ_CHUNK = 64 * 1024;

/** One buffer for every read: reads are synchronous, so no two of them ever share it at once. */
const chunk = Buffer.allocUnsafe(READ_CHUNK);

/**
 * A path that vanished (a process exited), is not readable (EACCES on another user's /proc/PID/fd, ESRCH,
 * EINVAL on a non-link) or is not a file is left out, exactly as the script's 2>/dev/null leaves it out.
 * Anything else (a bug) is thrown.
 */
function isFsError(err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | null)?.code === 'string';
}

export function orSkip<T>(op: () => T): T | undefined {
  try {
    return op();
  } catch (err) {
    if (isFsError(err)) return undefined;
    throw err;
  }
}

/** Everything left in the open file, decoded as UTF-8 as a whole (a character may straddle two reads). */
function readToEnd(fd: number): string {
  const full: Buffer[] = [];
  let used = 0;
  for (;;) {
    // Read until 0: a short read of /proc or sysfs does not mean the end of the file.
    const n = readSync(fd, chunk, used, READ_CHUNK - used, null);
    if (n === 0) break;
    used += n;
    if (used === READ_CHUNK) {
      full.push(Buffer.from(chunk));
      used = 0;
    }
  }
  if (full.length === 0) return chunk.toString('utf8', 0, used);
  full.push(chunk.subarray(0, used));
  return Buffer.concat(full).toString('utf8');
}

const UTF8 = { encoding: 'utf8', flag: 'r' } as const;

/**
 * A file the kernel serves (procfs, sysfs, cgroupfs) where nobody but the kernel can put a FIFO or a device:
 * read in one call, without the fstat below (half the system calls and no Stats object per file, for the
 * thousands of files a refresh reads). Not a path through a process's root (`/proc/PID/root/...`): that is
 * the container's file system, and a symlink there can point anywhere on ours.
 */
function isKernelFile(path: string): boolean {
  return (
    (path.startsWith('/proc/') || path.startsWith('/sys/')) &&
    !path.includes('/root/') &&
    !path.includes('/cwd/') &&
    !path.includes('/..')
  );
}

/**
 * A regular file's whole content, or undefined for anything else (directory, FIFO, device, socket), as
 * `grep -d skip -D skip` does in the script. Opened non-blocking so that a FIFO planted in a container's
 * root cannot hang us, then checked with fstat on the open fd. Not readFileSync(path): it would open a
 * FIFO blocking and wait forever for a writer.
 */
export function readText(path: string): string | undefined {
  if (isKernelFile(path)) return readFileSync(path, UTF8);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    return fstatSync(fd).isFile() ? readToEnd(fd) : undefined;
  } finally {
    closeSync(fd);
  }
}
