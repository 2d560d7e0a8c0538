import { defineConfig } from "tsup";

export default defineConfig({
  entry: { index: "src/index.ts", testing: "src/testing/index.ts", fakes: "src/testing/fakes.ts" },
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  // vitest stays a peer: only ./testing imports it, and the user's copy must be the one that runs.
  external: ["vitest"],
});
