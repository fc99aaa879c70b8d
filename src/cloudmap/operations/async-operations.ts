// The async operations resource (what a namespace or instance write returns before it completes):
// GetOperation and ListOperations (filters NAMESPACE_ID, SERVICE_ID, STATUS, TYPE, UPDATE_DATE).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import type { OperationRecord } from '../store.js';
import { checkFilter, matchFilter, page, type Condition, type CloudMapOpsContext } from './common.js';
import { scopePrefix } from '../../store/store.js';

const STATUSES = ['SUBMITTED', 'PENDING', 'SUCCESS', 'FAIL'];
const TYPES = ['CREATE_NAMESPACE', 'DELETE_NAMESPACE', 'UPDATE_NAMESPACE', 'UPDATE_SERVICE', 'REGISTER_INSTANCE', 'DEREGISTER_INSTANCE'];

/** UPDATE_DATE values are epoch seconds (the CLI and SDKs send numbers as strings), or ISO dates. */
function parseDate(value: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw new AwsError('InvalidInput', `UPDATE_DATE values must be dates in Unix time: '${value.slice(0, 64)}'.`);
  return ms;
}

export function operationWire(op: OperationRecord): SD.Operation {
  return {
    Id: op.id,
    OwnerAccount: op.accountId,
    Type: op.type,
    Status: op.status,
    ErrorMessage: op.errorMessage,
    ErrorCode: op.errorCode,
    CreateDate: new Date(op.createdAt),
    UpdateDate: new Date(op.updatedAt),
    Targets: op.targets,
  };
}

export function operationOperations({ cm }: CloudMapOpsContext) {
  return {
    GetOperation(input: SD.GetOperationRequest, ctx: RequestContext): SD.GetOperationResponse {
      const op = cm.operation(ctx, input.OperationId);
      if (!op || (input.OwnerAccount !== undefined && input.OwnerAccount !== op.accountId)) throw new AwsError('OperationNotFound', `Operation not found: ${input.OperationId}`);
      return { Operation: operationWire(op) };
    },

    ListOperations(input: SD.ListOperationsRequest, ctx: RequestContext): SD.ListOperationsResponse {
      let items = cm.operations.withPrefix(scopePrefix(ctx));
      for (const f of input.Filters ?? []) {
        const values = f.Values;
        switch (f.Name) {
          case 'NAMESPACE_ID':
          case 'SERVICE_ID': {
            checkFilter(f.Name, f.Condition as Condition, values, ['EQ']);
            const target = f.Name === 'NAMESPACE_ID' ? 'NAMESPACE' : 'SERVICE';
            items = items.filter((op) => op.targets[target] === values[0]);
            break;
          }
          case 'STATUS':
          case 'TYPE': {
            const c = checkFilter(f.Name, f.Condition as Condition, values, ['EQ', 'IN']);
            const allowed = f.Name === 'STATUS' ? STATUSES : TYPES;
            const bad = values.find((v) => !allowed.includes(v));
            if (bad) throw new AwsError('InvalidInput', `Unknown ${f.Name} value ${bad}; use one of ${allowed.join(', ')}.`);
            items = items.filter((op) => matchFilter(f.Name === 'STATUS' ? op.status : op.type, c, values));
            break;
          }
          case 'UPDATE_DATE': {
            checkFilter('UPDATE_DATE', f.Condition as Condition, values, ['BETWEEN']);
            const [from, to] = [parseDate(values[0]!), parseDate(values[1]!)];
            if (from > to) throw new AwsError('InvalidInput', 'UPDATE_DATE: the start date must come first.');
            items = items.filter((op) => op.updatedAt >= from && op.updatedAt <= to);
            break;
          }
        }
      }
      // Oldest first; the key also makes NextToken positions stable.
      const p = page(items, (op) => `${String(op.createdAt).padStart(15, '0')}/${op.id}`, input.MaxResults, input.NextToken);
      return { Operations: p.items.map((op) => ({ Id: op.id, Status: op.status })), NextToken: p.nextToken };
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
