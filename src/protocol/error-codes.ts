// The error codes Wayfinder may answer, per service. An AwsError (src/kernel/errors.ts) takes only a
// code listed here, so a misspelt or invented code does not compile; error-codes.test.ts checks that
// each product throws only its own service's codes. The lists:
//   - each service model's error shapes, generated from models/*.json (scripts/gen-operations.mjs);
//   - EC2's codes, written by hand: the EC2 model defines no error shapes, its codes are documented;
//   - the codes every service can answer (auth, throttling, framing), which no model lists;
//   - Wayfinder's own, where AWS documents nothing to copy.
import { apiGatewayV2ErrorCodes } from './generated/apigatewayv2.js';
import { cloudFormationErrorCodes } from './generated/cloudformation.js';
import { ecrErrorCodes } from './generated/ecr.js';
import { ecsErrorCodes } from './generated/ecs.js';
import { iamErrorCodes } from './generated/iam.js';
import { logsErrorCodes } from './generated/logs.js';
import { route53ErrorCodes } from './generated/route53.js';
import { serviceDiscoveryErrorCodes } from './generated/servicediscovery.js';
import { stsErrorCodes } from './generated/sts.js';
import type { ServiceName } from './model.js';

/**
 * Codes any AWS service can answer before or around an operation: AWS's "Common Errors" (the errors
 * common to the API actions of all AWS services, https://docs.aws.amazon.com/awsconsolehelpdocs/latest/gsg/common-errors.html,
 * and the "Common Errors" page of each service's API Reference), plus the codes the JSON protocols
 * answer for a request they cannot read or authenticate (docs/aws-behavior.md §1.3, §1.5).
 */
export const COMMON_ERROR_CODES = [
  // "Common Errors"
  'AccessDeniedException',
  'ExpiredTokenException',
  'IncompleteSignature',
  'InternalFailure',
  'InvalidAction',
  'InvalidClientTokenId',
  'InvalidParameterCombination',
  'InvalidParameterValue',
  'InvalidQueryParameter',
  'MalformedHttpRequestException',
  'MalformedQueryString',
  'MissingAction',
  'MissingAuthenticationToken',
  'MissingParameter',
  'NotAuthorized',
  'OptInRequired',
  'RequestAbortedException',
  'RequestEntityTooLargeException',
  'RequestExpired',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ThrottlingException',
  'UnknownOperationException',
  'UnrecognizedClientException',
  'ValidationError',
  // the query services' (IAM, STS, CloudFormation) answers to a signature that does not verify, and to a
  // caller who may not do what it asks
  'SignatureDoesNotMatch',
  'AccessDenied',
  // …and to session credentials past their expiry (STS's and IAM's answer, where JSON services say ExpiredTokenException)
  'ExpiredToken',
  // JSON 1.1 / rest-json reading and authentication
  'IncompleteSignatureException',
  'InvalidSignatureException',
  'MissingAuthenticationTokenException',
  'RequestEntityTooLarge',
  'SerializationException',
  'ValidationException',
] as const;
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/**
 * The EC2 codes Wayfinder answers, from AWS's "Error codes for the Amazon EC2 API"
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html): its common client
 * errors, the client errors of the actions served, and its server error. Add a code here, from that
 * page, before throwing it.
 */
export const EC2_ERROR_CODES = [
  // common client errors
  'AuthFailure',
  'DryRunOperation',
  'IncompleteSignature',
  'InvalidAction',
  'InvalidParameterValue',
  'MalformedQueryString',
  'MissingAction',
  'MissingAuthenticationToken',
  'MissingParameter',
  'RequestExpired',
  'UnauthorizedOperation',
  'UnknownParameter',
  // client errors of specific actions
  'AddressLimitExceeded',
  'CannotDelete',
  'DependencyViolation',
  'DuplicateSubnetsInSameZone',
  'Gateway.NotAttached',
  'InsufficientFreeAddressesInSubnet',
  'InvalidAddress.NotFound',
  'InvalidAllocationID.NotFound',
  'InvalidAssociationID.NotFound',
  'InvalidGatewayID.NotFound',
  'InvalidGroup.Duplicate',
  'InvalidGroup.NotFound',
  'InvalidID',
  'InvalidInternetGatewayID.NotFound',
  'InvalidIPAddress.InUse',
  'InvalidNatGatewayID.NotFound',
  'InvalidNetworkAclEntry.NotFound',
  'InvalidNetworkAclID.NotFound',
  'InvalidNetworkInterface.InUse',
  'InvalidNetworkInterfaceID.NotFound',
  'InvalidParameter',
  'InvalidPermission.Duplicate',
  'InvalidPermission.NotFound',
  'InvalidPrefixListID.NotFound',
  'InvalidRoute.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidSecurityGroupRuleId.NotFound',
  'InvalidServiceName',
  'InvalidSubnet.Conflict',
  'InvalidSubnet.Range',
  'InvalidSubnetID.NotFound',
  'InvalidVpc.Range',
  'InvalidVpcEndpoint.NotFound',
  'InvalidVpcEndpointId.NotFound',
  'InvalidVpcID.NotFound',
  'NatGatewayNotFound',
  'NetworkAclEntryAlreadyExists',
  'OperationNotPermitted',
  'Resource.AlreadyAssociated',
  'RouteAlreadyExists',
  'TagLimitExceeded',
  'VPCIdNotSpecified',
  // server errors
  'InternalError',
] as const;
export type Ec2ErrorCode = (typeof EC2_ERROR_CODES)[number];

/**
 * Codes Wayfinder answers that no AWS page documents for these services: `NotImplemented` (501) for a
 * modelled operation Wayfinder does not serve; `MethodNotAllowedException` (405) for a known
 * apigatewayv2 path with a method its model does not route.
 */
export const WAYFINDER_ERROR_CODES = ['NotImplemented', 'MethodNotAllowedException'] as const;
export type WayfinderErrorCode = (typeof WAYFINDER_ERROR_CODES)[number];

/** Each service's own codes: its model's error shapes, or for EC2 the documented ones above. */
export const SERVICE_ERROR_CODES = {
  ec2: EC2_ERROR_CODES,
  logs: logsErrorCodes,
  servicediscovery: serviceDiscoveryErrorCodes,
  ecs: ecsErrorCodes,
  apigatewayv2: apiGatewayV2ErrorCodes,
  iam: iamErrorCodes,
  sts: stsErrorCodes,
  cloudformation: cloudFormationErrorCodes,
  ecr: ecrErrorCodes,
  route53: route53ErrorCodes,
} as const satisfies { [S in ServiceName]: readonly string[] };

/** The codes `service` may answer: its own and the common ones. */
export type ServiceErrorCode<S extends ServiceName> = (typeof SERVICE_ERROR_CODES)[S][number] | CommonErrorCode;

/** Every code an AwsError may carry. */
export type AnyErrorCode = ServiceErrorCode<ServiceName> | WayfinderErrorCode;

/** True when `service` may answer `code`: its own codes and the common ones. */
export function answersCode(service: ServiceName, code: string): boolean {
  return (SERVICE_ERROR_CODES[service] as readonly string[]).includes(code) || (COMMON_ERROR_CODES as readonly string[]).includes(code);
}

// The kernel knows no service (docs/architecture.md §1), so it declares AwsErrorCodes empty and this
// catalog fills it in.
declare module '../kernel/errors.js' {
  interface AwsErrorCodes extends Record<AnyErrorCode, true> {}
}
