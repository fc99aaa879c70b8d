// AwsError → wire, in the shape of the service's protocol (docs/aws-behavior.md §1.2–1.4):
//   awsJson:   {"__type": code, "message", "Message", …modelled members}, x-amzn-ErrorType header too
//   rest-json: {"message", "__type", …}, x-amzn-ErrorType header, status from the error shape
//   ec2:       <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>
//   query:     <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse> (awsquery.ts)
//   rest-xml:  the same document in the service's namespace, status from the error shape (rest-xml.ts)
import { AwsError } from '../kernel/errors.js';
import { queryErrorShape, writeQueryErrorXml } from './awsquery.js';
import { writeRestXmlError } from './rest-xml.js';
import type { CommonErrorCode, Ec2ErrorCode } from './error-codes.js';
import type { Protocol, ServiceModel } from './model.js';
import { writeJson, xmlEscape } from './serialize-output.js';
import type { AuthFailureKind } from './sigv4.js';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export const CONTENT_TYPES: Record<Protocol, string> = {
  json: 'application/x-amz-json-1.1',
  'rest-json': 'application/json',
  'rest-xml': 'text/xml',
  ec2: 'text/xml;charset=UTF-8',
  query: 'text/xml',
};

function modelledStatus(model: ServiceModel | undefined, code: string): number | undefined {
  const name = model?.metadata.protocol === 'query' ? queryErrorShape(model, code) : code;
  const shape = name === undefined ? undefined : model?.shapes[name];
  if (!shape?.exception) return undefined;
  if (shape.error?.httpStatusCode) return shape.error.httpStatusCode;
  return (shape as { fault?: boolean }).fault ? 500 : 400;
}

export function errorStatus(model: ServiceModel | undefined, err: AwsError): number {
  return err.status ?? modelledStatus(model, err.code) ?? 400;
}

export function serializeError(protocol: Protocol, model: ServiceModel | undefined, err: AwsError, requestId: string): WireResponse {
  const status = errorStatus(model, err);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPES[protocol], ...err.headers };
  if (protocol === 'ec2') {
    const body =
      `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(err.code)}</Code>` +
      `<Message>${xmlEscape(err.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
    return { status, headers: { ...headers, 'x-amzn-requestid': requestId }, body };
  }
  if (protocol === 'query') {
    return { status, headers: { ...headers, 'x-amzn-requestid': requestId }, body: writeQueryErrorXml(model, err.code, err.message, status, requestId) };
  }
  if (protocol === 'rest-xml') {
    return { status, headers: { ...headers, 'x-amzn-requestid': requestId }, body: writeRestXmlError(model, err.code, err.message, status, requestId) };
  }
  headers['x-amzn-requestid'] = requestId;
  headers['x-amzn-errortype'] = err.code;
  const shape = model?.shapes[err.code];
  const extra = shape?.exception && Object.keys(err.fields).length ? (writeJson(model!, { shape: err.code }, err.fields) as Record<string, unknown>) : {};
  const body: Record<string, unknown> =
    protocol === 'json' ? { __type: err.code, message: err.message, Message: err.message, ...extra } : { message: err.message, __type: err.code, ...extra };
  return { status, headers, body: JSON.stringify(body) };
}

/** Maps a SigV4 failure to the code and status each protocol uses for it. */
export function authError(protocol: Protocol, kind: AuthFailureKind, message: string): AwsError {
  if (protocol === 'ec2') {
    const map: Record<AuthFailureKind, [Ec2ErrorCode, number]> = {
      missing: ['MissingAuthenticationToken', 401],
      incomplete: ['IncompleteSignature', 400],
      'unknown-key': ['AuthFailure', 401],
      'bad-signature': ['AuthFailure', 401],
      expired: ['RequestExpired', 400],
      'bad-presign': ['AuthFailure', 403],
      'bad-token': ['AuthFailure', 401],
      // EC2's error-codes page: RequestExpired "can also occur if the [temporary security] credentials have expired".
      'expired-token': ['RequestExpired', 400],
    };
    const [code, status] = map[kind];
    const text = kind === 'unknown-key' || kind === 'bad-signature' || kind === 'bad-token' ? `AWS was not able to validate the provided access credentials. ${message}` : message;
    return new AwsError(code, text, { status });
  }
  if (protocol === 'query' || protocol === 'rest-xml') {
    // IAM and STS (and Route 53) answer these codes (the query services' "Common Errors"), all 403 but a malformed signature.
    const map: Record<AuthFailureKind, [CommonErrorCode, number]> = {
      missing: ['MissingAuthenticationToken', 403],
      incomplete: ['IncompleteSignature', 400],
      'unknown-key': ['InvalidClientTokenId', 403],
      'bad-signature': ['SignatureDoesNotMatch', 403],
      expired: ['SignatureDoesNotMatch', 403],
      'bad-presign': ['SignatureDoesNotMatch', 403],
      'bad-token': ['InvalidClientTokenId', 403],
      'expired-token': ['ExpiredToken', 403],
    };
    const [code, status] = map[kind];
    return new AwsError(code, message, { status });
  }
  // A presigned URL AWS would never have issued (valid for over a week) is refused outright: 403.
  const status = protocol === 'rest-json' || kind === 'bad-presign' ? 403 : 400;
  const codes: Record<AuthFailureKind, CommonErrorCode> = {
    missing: 'MissingAuthenticationTokenException',
    incomplete: 'IncompleteSignatureException',
    'unknown-key': 'UnrecognizedClientException',
    'bad-signature': 'InvalidSignatureException',
    expired: 'InvalidSignatureException',
    'bad-presign': 'InvalidSignatureException',
    'bad-token': 'UnrecognizedClientException',
    'expired-token': 'ExpiredTokenException',
  };
  return new AwsError(codes[kind], message, { status });
}
