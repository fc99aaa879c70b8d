// The helper of listener-copy.ts: wraps its inherited fd 3 (the edge port's listening socket) in a
// TCP handle without listening on it, sends the handle to its parent thread and exits.
type TcpHandle = { open(fd: number): number; close(): void };
type TcpWrap = { TCP: new (type: number) => TcpHandle; constants: { SERVER: number } };

const { TCP, constants } = (process as unknown as { binding(name: string): TcpWrap }).binding('tcp_wrap');
const handle = new TCP(constants.SERVER);
if (handle.open(3) !== 0) process.exit(2);
process.send?.({ listener: true }, handle as never, () => {
  handle.close();
  process.disconnect?.();
});
