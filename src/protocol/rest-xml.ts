// The rest-xml protocol (Route 53; docs/aws-behavior.md §1.9): requests are routed by method and URI
// template (rest-routes.ts, as rest-json), members come from the URI, query string and headers
// (parse-input.ts), and answers are XML documents whose root element is the output shape's name:
//   <ListHostedZonesResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><HostedZones>…
// Members and lists follow the awsquery rules (a list's items are named by the member's locationName,
// e.g. <HostedZone>), so the awsquery writer serves both. Errors are awsquery's
// <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>, in the namespace.
import type { ServiceModel } from './model.js';
import { writeMembers, writeQueryErrorXml } from './awsquery.js';

const namespaces = new WeakMap<ServiceModel, string>();

/**
 * The xmlns attribute of the service's documents. The model names it only on request bodies
 * (`input.xmlNamespace.uri`), the same URI for every operation; answers carry it too.
 */
export function restXmlNamespace(model: ServiceModel): string {
  let ns = namespaces.get(model);
  if (ns === undefined) {
    ns = '';
    for (const op of Object.values(model.operations)) {
      const uri = (op.input as { xmlNamespace?: { uri?: string } } | undefined)?.xmlNamespace?.uri;
      if (uri) {
        ns = ` xmlns="${uri}"`;
        break;
      }
    }
    namespaces.set(model, ns);
  }
  return ns;
}

/** A successful answer: `<OutputShape xmlns>…members…</OutputShape>`; no body for an operation without output. */
export function writeRestXml(model: ServiceModel, operation: string, value: unknown): string {
  const out = model.operations[operation]!.output;
  if (!out) return '';
  const root = out.locationName ?? out.shape;
  const parts: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${root}${restXmlNamespace(model)}>`];
  if (value && typeof value === 'object') writeMembers(model, out, value as Record<string, unknown>, parts, 0);
  parts.push(`</${root}>`);
  return parts.join('');
}

export function writeRestXmlError(model: ServiceModel | undefined, code: string, message: string, status: number, requestId: string): string {
  return writeQueryErrorXml(model, code, message, status, requestId, model ? restXmlNamespace(model) : '');
}
