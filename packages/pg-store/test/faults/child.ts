// A sync process of its own, driven by the faults suite over stdin/stdout: one JSON command per
// line in (`open`, `run`, `exit`), one JSON line out per command and per page. Run with
// `node --conditions=@pc-referrals/source --import tsx child.ts '<config json>'`.
import { createInterface } from "node:readline";
import { createPartnerCenterClient, createStaticTokenProvider, createSyncEngine, PcReferralsError } from "@pc-referrals/core";
import { createPgStore } from "../../src/index.js";

/** What the parent passes as argv[2]. */
export interface ChildConfig {
  fakeUrl: string;
  token: string;
  pageSize: number;
  /** PostgreSQL, else PGlite in `dataDir`. */
  connectionString?: string;
  dataDir?: string;
  schema: string;
}

/** One line on stdin. */
export type ChildCommand = { cmd: "open" } | { cmd: "run"; full?: boolean } | { cmd: "exit" };

const config = JSON.parse(process.argv[2] ?? "{}") as ChildConfig;
const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const failure = (error: unknown): Record<string, unknown> => ({
  type: "error",
  code: PcReferralsError.is(error) ? error.code : "internal",
  message: error instanceof Error ? error.message : String(error),
  ...(PcReferralsError.is(error) && "runningRunId" in error ? { runningRunId: error.runningRunId } : {}),
  ...(PcReferralsError.is(error) && "holder" in error ? { holder: error.holder } : {}),
});

const store = createPgStore({
  ...(config.connectionString === undefined ? { dataDir: config.dataDir } : { connectionString: config.connectionString }),
  schema: config.schema,
  autoMigrate: true,
});
const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(config.token), baseUrl: config.fakeUrl });
const engine = createSyncEngine({ client, store, enabled: true, pageSize: config.pageSize });
engine.on("sync.started", (e) => say({ type: "started", runId: e.runId }));
engine.on("page.fetched", (e) => say({ type: "page", runId: e.runId, page: e.page }));

async function handle(command: ChildCommand): Promise<void> {
  switch (command.cmd) {
    case "open":
      await store.getSyncStatus("default").then(
        () => say({ type: "opened", pid: process.pid }),
        (error: unknown) => say(failure(error)),
      );
      return;
    case "run":
      await engine.run({ trigger: "manual", full: command.full ?? false }).then(
        (report) => say({ type: "report", report }),
        (error: unknown) => say(failure(error)),
      );
      return;
    case "exit":
      await store.close();
      await client.close();
      say({ type: "closed" });
      process.exit(0);
  }
}

say({ type: "ready", pid: process.pid });
// One command at a time, in order.
let chain = Promise.resolve();
createInterface({ input: process.stdin }).on("line", (line) => {
  chain = chain.then(() => handle(JSON.parse(line) as ChildCommand));
});
