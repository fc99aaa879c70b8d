// Splits a byte stream into lines for awslogs (one line = one log event). A line longer than
// MAX_LINE is cut, like Docker's log drivers cut at their buffer size; a trailing partial line is
// emitted when the stream ends.
import { StringDecoder } from 'node:string_decoder';

const MAX_LINE = 256 * 1024 - 26; // a CloudWatch event may carry 256 KiB minus 26 bytes of overhead

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial: string;

  /** `carried`: the unfinished line an earlier follower of the same stream handed over (takePartial). */
  constructor(
    private readonly emit: (line: string) => void,
    carried = '',
  ) {
    this.partial = carried;
  }

  /** Stops here without emitting the unfinished line: it is returned for the next follower to continue. */
  takePartial(): string {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    return rest;
  }

  write(chunk: Buffer): void {
    let text = this.partial + this.decoder.write(chunk);
    let nl: number;
    while ((nl = text.indexOf('\n')) >= 0) {
      this.emitLine(text.slice(0, nl));
      text = text.slice(nl + 1);
    }
    while (text.length > MAX_LINE) {
      this.emit(text.slice(0, MAX_LINE));
      text = text.slice(MAX_LINE);
    }
    this.partial = text;
  }

  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest) this.emitLine(rest);
  }

  private emitLine(line: string): void {
    const l = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let i = 0; i < l.length || i === 0; i += MAX_LINE) this.emit(l.slice(i, i + MAX_LINE));
  }
}
