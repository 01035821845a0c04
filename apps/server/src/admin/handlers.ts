/**
 * The admin API's operations (openapi/admin), typed from its generated `operations`: a route
 * added to the spec fails `tsc` here until it has a handler.
 */
import type { admin } from "@cts-csms/types";
import type { FaultRules } from "../faults/rules.js";
import type { OperationHandlers } from "../operation.js";
import { faultHandlers } from "./faults.js";

export interface AdminState {
  /** Clears one project, or all, and re-applies the seed. */
  reset(projectId?: string): Promise<void>;
  faults: FaultRules;
}

export function adminHandlers(state: AdminState): OperationHandlers<admin.operations> {
  return {
    ...faultHandlers(state.faults),
    async getHealth() {
      return { status: 200, body: { status: "ok" } };
    },
    async resetState({ query }) {
      await state.reset(query.project_id);
      return { status: 204, body: undefined };
    },
  };
}
