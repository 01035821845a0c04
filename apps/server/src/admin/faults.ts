/** The admin API's fault-rule operations (`/_admin/faults`, openapi/admin/paths/_admin_faults.yaml). */
import type { admin } from "@cts-csms/types";
import { ApiError } from "../errors.js";
import type { FaultRules } from "../faults/rules.js";
import type { OperationHandlers } from "../operation.js";

type FaultOperations = Pick<
  admin.operations,
  "listFaultRules" | "addFaultRule" | "deleteFaultRules"
>;

export function faultHandlers(rules: FaultRules): OperationHandlers<FaultOperations> {
  return {
    async listFaultRules() {
      return { status: 200, body: { rules: await rules.list() } };
    },
    async addFaultRule({ body }) {
      return { status: 201, body: await rules.add(body) };
    },
    async deleteFaultRules({ query }) {
      if (!(await rules.delete(query.id))) {
        throw new ApiError("not_found", `No fault rule with id ${query.id}`);
      }
      return { status: 204, body: undefined };
    },
  };
}
