/** HAR 1.2 validation for the journal's export (har-schema: the spec as JSON Schema draft-06). */
import { createRequire } from "node:module";
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";

const require = createRequire(import.meta.url);

let validate: (((har: unknown) => boolean) & { errors?: ErrorObject[] | null }) | undefined;

/** The schema errors of `har` (none: `[]`), compiled once per test file. */
export function harErrors(har: unknown): ErrorObject[] {
  if (!validate) {
    // har-schema has non-standard keywords (`optional`, `min`) that strict mode would refuse.
    const schemas = require("har-schema") as Record<string, object>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
    addFormats.default(ajv);
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    validate = ajv.getSchema("har.json#");
    if (!validate) throw new Error("har-schema has no har.json");
  }
  return validate(har) ? [] : [...(validate.errors ?? [])];
}
