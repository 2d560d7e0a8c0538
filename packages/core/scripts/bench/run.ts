// `pnpm bench` in packages/core: every core bench in its own process, in sequence, then one table.
// Figures print PASS/FAIL beside their target; the exit code is non-zero only if a bench crashed.
import { fileURLToPath } from "node:url";
import { runBenches } from "./kit.js";

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

await runBenches("core", [
  { file: here("./rules.ts") },
  { file: here("./sync.ts"), args: ["2000"] },
  { file: here("./sync.ts"), args: ["10000"] },
  { file: here("./paging.ts") },
]);
