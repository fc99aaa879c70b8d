// Where a request message can end, so the front always knows the exact byte where the next one
// starts (needed to answer pipelined requests in order and to hand a connection to node:http at a
// message boundary; llhttp itself reports no offsets and cannot be paused from its callbacks).
//
// With llhttp in strict mode every line ends in CRLF, so:
//   - a head ends right after its first blank line, i.e. the first "\r\n\r\n";
//   - a Content-Length body ends after exactly that many bytes;
//   - a chunked body ends with "0[;ext]\r\n[trailer lines]\r\n", i.e. right after a "\r\n\r\n"
//     (never one that overlaps an earlier match: the line before the final blank line is not empty).
// The front feeds llhttp one slice at a time, cut at every such candidate end, and checks that a
// message only ever completes at the end of a slice; if it did not, the connection is closed.
const CRLFCRLF = Buffer.from('\r\n\r\n');
const PATTERN = [13, 10, 13, 10];

/** Finds "\r\n\r\n" across buffer boundaries: `matched` carries a partial match into the next buffer. */
export class BlankLineScanner {
  /** How many bytes of "\r\n\r\n" end the data scanned so far (0–3). */
  matched = 0;

  reset(): void {
    this.matched = 0;
  }

  /** The index just past the next "\r\n\r\n" at or after `from` (counting the carried match), or -1. */
  next(buf: Buffer, from: number): number {
    let i = from;
    let m = this.matched;
    while (m > 0 && i < buf.length) {
      if (buf[i] !== PATTERN[m]) {
        m = 0; // this byte may begin a fresh match: the search below starts on it
        break;
      }
      i++;
      if (++m === 4) {
        this.matched = 0;
        return i;
      }
    }
    if (m > 0) {
      this.matched = m; // the buffer ended inside the carried match
      return -1;
    }
    const idx = buf.indexOf(CRLFCRLF, i);
    if (idx >= 0) {
      this.matched = 0;
      return idx + 4;
    }
    this.matched = tailMatch(buf, i);
    return -1;
  }
}

/** How many bytes at the end of buf[from..] are a prefix of "\r\n\r\n". */
function tailMatch(buf: Buffer, from: number): number {
  const n = buf.length;
  if (n - from >= 3 && buf[n - 3] === 13 && buf[n - 2] === 10 && buf[n - 1] === 13) return 3;
  if (n - from >= 2 && buf[n - 2] === 13 && buf[n - 1] === 10) return 2;
  if (n - from >= 1 && buf[n - 1] === 13) return 1;
  return 0;
}
