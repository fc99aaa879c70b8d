// Progress for waits: a spinner line on a TTY, plain timestamped lines otherwise (CI logs, pipes).
// NO_COLOR (https://no-color.org) turns colour off; a non-TTY never gets escape codes.

export interface Progress {
  update(text: string): void;
  done(text: string): void;
  fail(text: string): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function progress(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Progress {
  const tty = Boolean(stream.isTTY) && env.TERM !== 'dumb';
  const color = tty && env.NO_COLOR === undefined;
  const paint = (code: string, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!tty) {
    let last = '';
    return {
      update(text) {
        if (text !== last) stream.write(`… ${text}\n`);
        last = text;
      },
      done: (text) => stream.write(`✓ ${text} (${elapsed()})\n`),
      fail: (text) => stream.write(`✗ ${text} (${elapsed()})\n`),
    };
  }
  let frame = 0;
  let current = '';
  const draw = () => stream.write(`\r\x1b[2K${paint('36', FRAMES[frame++ % FRAMES.length]!)} ${current} ${paint('2', elapsed())}`);
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update(text) {
      current = text;
      draw();
    },
    done(text) {
      clearInterval(timer);
      stream.write(`\r\x1b[2K${paint('32', '✓')} ${text} ${paint('2', elapsed())}\n`);
    },
    fail(text) {
      clearInterval(timer);
      stream.write(`\r\x1b[2K${paint('31', '✗')} ${text} ${paint('2', elapsed())}\n`);
    },
  };
}
