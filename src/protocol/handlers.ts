// What a product hands the protocol layer: a table with one entry per operation of the service model.
// The generated `…Operations` interfaces make a forgotten operation a compile error; an operation a
// product does not serve yet is marked `notImplemented` and answers a modelled 501.
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestContext {
  requestId: string;
  region: string;
  accountId: string;
  /** Access key the request was signed with ('' when auth is off and the request was unsigned). */
  accessKeyId: string;
  service: string;
  operation: string;
  headers: IncomingHttpHeaders;
  /** Receipt time, epoch ms. */
  receivedAt: number;
}

export const NOT_IMPLEMENTED: unique symbol = Symbol('notImplemented');
export type NotImplemented = typeof NOT_IMPLEMENTED;
export const notImplemented: NotImplemented = NOT_IMPLEMENTED;

export type HandlerTable<Ops> = { [K in keyof Ops]: Ops[K] | NotImplemented };

/** Marks every listed operation as not implemented; spread first, then override what is served. */
export function notImplementedAll<const N extends string>(names: readonly N[]): Record<N, NotImplemented> {
  return Object.fromEntries(names.map((n) => [n, NOT_IMPLEMENTED])) as Record<N, NotImplemented>;
}

/** The untyped view the dispatcher uses. */
// biome-ignore lint/suspicious/noExplicitAny: the dispatcher calls every service's handlers with input the model has validated
export type AnyHandler = (input: any, ctx: RequestContext) => unknown;
export type AnyHandlerTable = Record<string, AnyHandler | NotImplemented>;
