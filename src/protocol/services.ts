// The services Wayfinder speaks, indexed for routing: awsJson target prefixes, rest-json URI
// templates, SigV4 signing names, plus the few wire facts the models do not carry (which error code
// a service uses for invalid input, how large a request body may be).
import type { ServiceErrorCode } from './error-codes.js';
import { loadModel, SERVICE_NAMES, signingName, type Protocol, type ServiceModel, type ServiceName } from './model.js';
import { compileRestRoutes, type RestRoute } from './rest-routes.js';

export interface ServiceTraits<S extends ServiceName = ServiceName> {
  /** Error code for a model constraint violation (length, range, enum, pattern, required). */
  validationCode: ServiceErrorCode<S>;
  /** Error code for a value of the wrong type or a body that is not parseable. */
  serializationCode: ServiceErrorCode<S>;
  /** Largest request body accepted, in bytes; larger ones get 413 before they are read whole. */
  bodyLimit: number;
}

export interface ServiceSpec {
  name: ServiceName;
  model: ServiceModel;
  protocol: Protocol;
  signingName: string;
  targetPrefix: string | undefined;
  restRoutes: RestRoute[];
  traits: ServiceTraits;
}

const MiB = 1024 * 1024;

// Codes chosen from each service's own modelled errors so SDKs raise a typed exception.
const TRAITS: { [S in ServiceName]: ServiceTraits<S> } = {
  ec2: { validationCode: 'InvalidParameterValue', serializationCode: 'InvalidParameterValue', bodyLimit: 1 * MiB },
  logs: { validationCode: 'InvalidParameterException', serializationCode: 'SerializationException', bodyLimit: 2 * MiB },
  servicediscovery: { validationCode: 'InvalidInput', serializationCode: 'SerializationException', bodyLimit: 1 * MiB },
  ecs: { validationCode: 'InvalidParameterException', serializationCode: 'SerializationException', bodyLimit: 1 * MiB },
  apigatewayv2: { validationCode: 'BadRequestException', serializationCode: 'BadRequestException', bodyLimit: 6 * MiB },
  // The query services answer ValidationError for model constraints (AWS's common error for them).
  iam: { validationCode: 'ValidationError', serializationCode: 'ValidationError', bodyLimit: 1 * MiB },
  sts: { validationCode: 'ValidationError', serializationCode: 'ValidationError', bodyLimit: 1 * MiB },
  // A template body may be 51,200 bytes inline; with parameters and tags the form stays well under 1 MiB.
  cloudformation: { validationCode: 'ValidationError', serializationCode: 'ValidationError', bodyLimit: 1 * MiB },
  // PutImage carries the manifest inline (4 MiB at most on AWS); layer parts go to UploadLayerPart (20 MiB).
  ecr: { validationCode: 'InvalidParameterException', serializationCode: 'SerializationException', bodyLimit: 32 * MiB },
};

export class ServiceRegistry {
  readonly all: ServiceSpec[];
  private readonly byTarget = new Map<string, ServiceSpec>();
  private readonly bySigningName = new Map<string, ServiceSpec>();
  private readonly byName = new Map<ServiceName, ServiceSpec>();

  constructor(names: readonly ServiceName[] = SERVICE_NAMES) {
    this.all = names.map((name) => {
      const model = loadModel(name);
      const spec: ServiceSpec = {
        name,
        model,
        protocol: model.metadata.protocol,
        signingName: signingName(model),
        targetPrefix: model.metadata.targetPrefix,
        restRoutes: model.metadata.protocol === 'rest-json' ? compileRestRoutes(model) : [],
        traits: TRAITS[name],
      };
      if (spec.targetPrefix) this.byTarget.set(spec.targetPrefix, spec);
      this.bySigningName.set(spec.signingName, spec);
      this.byName.set(name, spec);
      return spec;
    });
  }

  get(name: ServiceName): ServiceSpec {
    return this.byName.get(name)!;
  }

  forTarget(prefix: string): ServiceSpec | undefined {
    return this.byTarget.get(prefix);
  }

  forSigningName(name: string): ServiceSpec | undefined {
    return this.bySigningName.get(name);
  }

  restServices(): ServiceSpec[] {
    return this.all.filter((s) => s.protocol === 'rest-json');
  }
}
