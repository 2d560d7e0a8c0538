// `pnpm bench` in packages/core: the micro-benches (rules, paging memory), each in its own process,
// then one table. The end-to-end sync bench is the root `bench/` package (`pnpm bench`).
// Figures print PASS/FAIL beside their target; the exit code is non-zero only if a bench crashed.
import { fileURLToPath } from "node:url";
import { runBenches } from "./kit.js";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

await runBenches("core", [
  { file: here("./rules.ts") },
  { file: here("./paging.ts") },
]);
