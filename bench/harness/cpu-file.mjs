// Reads the .cpu files the harness writes beside each run: `stat0` / `stat1` lines (/proc/stat's cpu
// lines before and after) and one line of times per measured process. Shared by the summarisers.

/** The fields after the label of the first line starting with `label`. */
export function cpuLine(text, label) {
  return text
    .split('\n')
    .find((l) => l.startsWith(label))
    .split(' ')
    .slice(1);
}

/** How busy CPU `i` was between stat0 and stat1, in percent. */
export function cpuBusy(text, i) {
  const s0 = cpuLine(text, 'stat0');
  const s1 = cpuLine(text, 'stat1');
  const busy = s1[i + 1] - s0[i + 1];
  const idle = s1[i + 2] - s0[i + 2];
  return (100 * busy) / (busy + idle);
}

/** The median of a list of numbers. */
export function median(a) {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}
