import { defineConfig } from "tsup";

export default defineConfig({
  entry: { bin: "src/bin.ts" },
  format: ["esm"],
  dts: false,
  sourcemap: true,
  clean: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
  // The workspace packages and every dependency are installed beside the bin, never bundled into it.
  external: [/^@pc-referrals\//, "pino", "hono", "@hono/node-server", "pg", "@electric-sql/pglite"],
});
