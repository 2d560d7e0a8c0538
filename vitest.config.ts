import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

// One project per workspace package; each inherits this file's settings (extends: true),
// so tests import `@pc-referrals/*` straight from src through the source condition.
const projectDirs = ["packages", "examples"].flatMap((parent) =>
  existsSync(parent)
    ? readdirSync(parent)
        .map((name) => join(parent, name))
        .filter((dir) => existsSync(join(dir, "package.json")))
    : [],
);

// A project is named for its folder; an example named like a package (examples/worker beside
// packages/worker) gets its parent as prefix: "examples-worker".
const names = new Set<string>();
const projectName = (dir: string): string => {
  const [parent = "", name = dir] = dir.split("/");
  const unique = names.has(name) ? `${parent}-${name}` : name;
  names.add(unique);
  return unique;
};

export default defineConfig({
  resolve: { conditions: ["@pc-referrals/source"] },
  ssr: { resolve: { conditions: ["@pc-referrals/source"] } },
  test: {
    // Vitest's default is one worker fewer than the CPUs: a single worker on a 2-core CI machine,
    // where most test time is waiting on fakes' latency, PostgreSQL and child processes. Every file
    // has its own schemas, queues and ports, so two files may run side by side.
    maxWorkers: 2,
    projects: projectDirs.map((dir) => ({
      extends: true,
      test: {
        name: projectName(dir),
        root: dir,
        include: ["src/**/*.test.ts", "test/**/*.test.ts"],
        testTimeout: 30_000,
        hookTimeout: 60_000,
      },
    })),
  },
});
