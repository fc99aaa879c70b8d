// The services Wayfinder speaks, indexed for routing: awsJson target prefixes, rest-json URI
// templates, SigV4 signing names, plus the few wire facts the models do not carry (which error code
// a service uses for invalid input, how large a request body may be).
import type { ServiceErrorCode } from './error-codes.js';
import { SERVICE_INDEX } from './generated/service-index.js';
import { loadModel, SERVICE_NAMES, type Protocol, type ServiceModel, type ServiceName } from './model.js';
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
  /** Parsed on first use: a start parses no model (2.5 MB of JSON; issue 16, point 4). */
  readonly model: ServiceModel;
  protocol: Protocol;
  signingName: string;
  targetPrefix: string | undefined;
  /** Compiled from the model on first use (rest-json and rest-xml services only). */
  readonly restRoutes: RestRoute[];
  traits: ServiceTraits;
}

/** A service's routing facts come from the generated index; its model is read when first asked for. */
class LazyServiceSpec implements ServiceSpec {
  readonly protocol: Protocol;
  readonly signingName: string;
  readonly targetPrefix: string | undefined;
  readonly traits: ServiceTraits;
  private routes: RestRoute[] | undefined;

  constructor(readonly name: ServiceName) {
    const index = SERVICE_INDEX[name];
    this.protocol = index.protocol;
    this.signingName = index.signingName;
    this.targetPrefix = index.targetPrefix;
    this.traits = TRAITS[name];
  }

  get model(): ServiceModel {
    return loadModel(this.name); // cached by loadModel
  }

  get restRoutes(): RestRoute[] {
    this.routes ??= this.protocol === 'rest-json' || this.protocol === 'rest-xml' ? compileRestRoutes(this.model) : [];
    return this.routes;
  }
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
  // Route 53 answers InvalidInput for any request it cannot accept; its bodies are small XML documents.
  route53: { validationCode: 'InvalidInput', serializationCode: 'InvalidInput', bodyLimit: 1 * MiB },
};

export class ServiceRegistry {
  readonly all: ServiceSpec[];
  private readonly byTarget = new Map<string, ServiceSpec>();
  private readonly bySigningName = new Map<string, ServiceSpec>();
  private readonly byName = new Map<ServiceName, ServiceSpec>();

  constructor(names: readonly ServiceName[] = SERVICE_NAMES) {
    this.all = names.map((name) => {
      const spec = new LazyServiceSpec(name);
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

  /**
   * The rest-xml service whose paths start with `/<api version>/` (Route 53: `/2013-04-01/…`), read from
   * the generated index so that routing parses no model.
   */
  forRestXmlPath(rawPath: string): ServiceSpec | undefined {
    for (const spec of this.all) {
      if (spec.protocol !== 'rest-xml') continue;
      const prefix = `/${SERVICE_INDEX[spec.name].apiVersion}/`;
      if (rawPath.startsWith(prefix) || rawPath === prefix.slice(0, -1)) return spec;
    }
    return undefined;
  }
}
