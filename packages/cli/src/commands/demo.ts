// `demo [--no-serve] [--port]`: the whole tool on a fresh machine without network, database or
// account: the fakes with 2,000 referrals, the real device-code login, a sync into embedded PGlite,
// the summary, the first inbox page, then the page served on 127.0.0.1.
import { generateReferrals } from "@pc-referrals/core/fakes";
import type { CommandContext } from "../command.js";
import { configFromEnv } from "../config.js";
import { createEngineAndActions, openStore, tokenProvider, withStore } from "../context.js";
import { fakeEnv, startStandaloneFake } from "../fake-server.js";
import { createCliLogger } from "../log.js";
import { EXIT, paint, println, terminalWidth } from "../output.js";
import { startServer } from "../server.js";
import { inboxTable } from "../summary.js";
import { runSyncOnce } from "../sync-run.js";
import { deviceCodeLogin } from "./auth.js";
import { wholeFlag } from "./read.js";
import { untilInterrupted } from "../io.js";

/** Referrals the demo's fake holds. */
export const DEMO_REFERRALS = 2000;
/** The demo's own database folder, so a second demo in the same folder shows an incremental run. */
export const DEMO_DATA_DIR = ".pc-referrals/demo/pgdata";

export async function run({ io, values, verbose }: CommandContext): Promise<number> {
  const port = wholeFlag("port", values.port, 0, 65_535) ?? 8787;
  const heading = (text: string): void => println(io, `\n${paint(io, io.stdout, "bold", text)}`);
  const fake = await startStandaloneFake({ referrals: generateReferrals(DEMO_REFERRALS) });
  try {
    println(io, `pc-referrals demo: a fake Partner Center with ${DEMO_REFERRALS.toLocaleString("en-US")} generated referrals at ${fake.url}`);
    println(io, "(no network, no database server, no credentials: the fake approves the sign-in by itself).");
    // Only the fake's settings: a DATABASE_URL or token settings of the shell must not leak in.
    const config = configFromEnv({ ...fakeEnv(fake), PARTNER_CENTER_DATA_DIR: DEMO_DATA_DIR }, io.cwd);

    heading("1. Sign in with a device code");
    const tokens = tokenProvider(config, null, { cache: "memory" });
    const username = await deviceCodeLogin(io, tokens);
    println(io, `Signed in${username === null ? "" : ` as ${username}`}.`);

    return await withStore(openStore(config), async (store) => {
      heading(`2. Sync into embedded PGlite (${config.dataDir})`);
      const { exitCode } = await runSyncOnce(io, config, store, tokens, { full: false, dryRun: false, json: false });

      heading("3. The inbox, first page");
      println(io, inboxTable(await store.queryInbox({ pageSize: 10 }), terminalWidth(io.stdout)));

      if (values.serve === false) {
        println(io, "\nRun `pc-referrals demo` again in this folder for an incremental run.");
        return exitCode;
      }
      const { logger } = createCliLogger(io, { verbose });
      const { engine, actions } = createEngineAndActions(config, store, tokens, logger);
      const server = await startServer({ engine, actions, store, scheduler: null, auth: { unsafeNoAuth: true }, host: "127.0.0.1", port, logger });
      heading("4. The inbox page");
      println(io, `Inbox page: ${server.pageUrl}`);
      println(io, "Serving on 127.0.0.1 only, without sign-in (demo data). Ctrl-C stops.");
      await untilInterrupted(io);
      await server.close();
      return EXIT.interrupted;
    });
  } finally {
    await fake.stop();
  }
}
