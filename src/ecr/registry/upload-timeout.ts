// A registry upload is one long request: `docker push` of a 2 GB layer over a slow link is a single
// PATCH that may take many minutes. node:http's requestTimeout (the edge's --request-timeout-ms) is a
// wall-clock cap on a whole request, which would cut such an upload while it is still moving. An
// upload request is therefore taken off that clock and given an idle limit instead: it may last as
// long as bytes keep arriving, and is cut after the same number of milliseconds without one.
import type { IncomingMessage } from 'node:http';

type ParserWithRemove = { remove?: () => void };

/**
 * Takes this request off node:http's request-timeout check and cuts the connection after `idleMs`
 * without traffic instead. Returns the function that ends the idle limit (call it once the body is
 * read: the answer and the connection's next request are node:http's again).
 */
export function exemptFromRequestTimeout(req: IncomingMessage, idleMs: number): () => void {
  const socket = req.socket;
  // node:http checks requestTimeout over the parsers in its list of connections with a message in
  // progress (checkConnections → ConnectionsList::Expired); the parser's remove() takes this one out
  // of that list. The parser is listed again when its next message begins, so the following request
  // on this connection is timed as usual.
  (socket as unknown as { parser?: ParserWithRemove }).parser?.remove?.();
  // With no 'timeout' listener of ours, node:http's own (socketOnTimeout) destroys the socket.
  socket.setTimeout(idleMs);
  return () => socket.setTimeout(0);
}
