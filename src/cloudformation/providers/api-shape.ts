// Reads CloudFormation properties as an operation's input, by its model: structure members match
// case-insensitively (CloudFormation's `ContainerDefinitions[].PortMappings` is ECS's
// `containerDefinitions[].portMappings`), map keys stay as written. Providers rename only the
// members whose names really differ.
import { loadModel, type ServiceModel, type ServiceName, type ShapeRef } from '../../protocol/model.js';

export function asInput(service: ServiceName, operation: string, props: Record<string, unknown>): Record<string, unknown> {
  const model = loadModel(service);
  const ref = model.operations[operation]?.input;
  if (!ref) return {};
  return (convert(model, ref, props, 0) as Record<string, unknown>) ?? {};
}

function convert(model: ServiceModel, ref: ShapeRef, value: unknown, depth: number): unknown {
  if (value === undefined || value === null || depth > 40) return undefined;
  const shape = model.shapes[ref.shape];
  if (!shape) return value;
  if (shape.type === 'structure' && !shape.document && typeof value === 'object' && !Array.isArray(value)) {
    const byLower = new Map(Object.entries(shape.members ?? {}).map(([name, m]) => [name.toLowerCase(), [name, m] as const]));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      const member = byLower.get(k.toLowerCase());
      if (member) out[member[0]] = convert(model, member[1], v, depth + 1);
    }
    return out;
  }
  if (shape.type === 'list' && Array.isArray(value)) return value.map((v) => convert(model, shape.member!, v, depth + 1));
  if (shape.type === 'map' && typeof value === 'object' && !Array.isArray(value)) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, convert(model, shape.value!, v, depth + 1)]));
  }
  if (shape.type === 'string' && value && typeof value === 'object') return JSON.stringify(value); // policy documents
  return value;
}
