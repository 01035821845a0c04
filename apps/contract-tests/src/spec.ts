// The operations of both bundled APIs, as the spec model (@cts-csms/spec) describes them:
// everything the suite knows about the APIs (operations, parameters, schemas, declared statuses)
// comes from there.
import { type ApiModel, api, type Operation as ModelOperation, type Schema } from "@cts-csms/spec";

export type Json = Record<string, any>;
export type Api = "cts" | "csms";
export type Operation = ModelOperation<Api>;

export const models: Record<Api, ApiModel<Api>> = { cts: api("cts"), csms: api("csms") };

/** The bundled documents, for Ajv (which resolves references itself). */
export const specs: Record<Api, Json> = {
  cts: models.cts.document,
  csms: models.csms.document,
};

export const operations: Operation[] = [...models.cts.operations, ...models.csms.operations];
export const operation = (id: string): Operation => {
  const op = operations.find((o) => o.operationId === id);
  if (!op) throw new Error(`no operation ${id} in the bundled specs`);
  return op;
};

/** The JSON pointer of the schema of an operation's response with this status, if it has a body. */
export function responseRef(op: Operation, status: number): string | undefined {
  return op.responses.find((r) => r.status === String(status))?.schemaRef;
}

/** The schema at a JSON pointer of an API's document, references resolved. */
export function schemaAt(apiName: Api, pointer: string): Schema {
  return models[apiName].schemaAt(pointer);
}
