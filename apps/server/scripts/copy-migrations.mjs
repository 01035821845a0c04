// tsc compiles the TypeScript only: the SQL store's migrations are copied next to it.
import { cpSync } from "node:fs";
import { fileURLToPath } from "node:url";

const from = fileURLToPath(new URL("../src/store/sql/migrations", import.meta.url));
const to = fileURLToPath(new URL("../dist/store/sql/migrations", import.meta.url));
cpSync(from, to, { recursive: true });
