// The event stream's framing: concatenated JSON objects, cut anywhere by the transport.
import { MonitorError } from '../../errors';
import { MAX_BODY_BYTES } from './limits';

/**
 * Splits a stream of concatenated JSON objects (the daemon writes one per line, but nothing guarantees that a
 * chunk ends on a line) into the text of each complete object.
 */
export class JsonObjectSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Index in `buf` up to which characters have been scanned. */
  private scanned = 0;
  private start = -1;

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const ch = this.buf[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (ch === '}' || ch === ']') {
        if (this.depth === 0) throw new MonitorError('the Docker event stream is not JSON', 'internal');
        this.depth--;
        if (this.depth === 0) out.push(this.buf.slice(this.start, i + 1));
      } else if (this.depth === 0 && !/\s/.test(ch)) {
        throw new MonitorError('the Docker event stream is not JSON', 'internal');
      }
    }
    if (this.depth === 0) {
      this.buf = '';
      this.scanned = 0;
      this.start = -1;
    } else {
      // Keep only the object in progress.
      this.buf = this.buf.slice(this.start);
      this.scanned = this.buf.length;
      this.start = 0;
      if (this.buf.length > MAX_BODY_BYTES) throw new MonitorError('a Docker event is too large', 'internal');
    }
    return out;
  }
}
