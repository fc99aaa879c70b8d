// Bytes as a latin1 string, one char per byte: a small body rides in its head's string and goes out
// in one write (latin1 round-trips every byte exactly). Buffer's own latin1Slice skips toString()'s
// argument handling; toString('latin1') is the documented fallback.
type Latin1Slicer = { latin1Slice(start: number, end: number): string };

export const latin1: (b: Buffer) => string =
  typeof (Buffer.prototype as unknown as Partial<Latin1Slicer>).latin1Slice === 'function'
    ? (b) => (b as unknown as Latin1Slicer).latin1Slice(0, b.length)
    : (b) => b.toString('latin1');
