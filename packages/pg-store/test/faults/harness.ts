// The faults suite's side of the child processes (child.ts), its oracle (the same referrals synced
// once, undisturbed, into the memory store) and the checks every fault case ends with.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createMemoryStore,
  createPartnerCenterClient,
  createStaticTokenProvider,
  createSyncEngine,
  type Store,
  type SyncReport,
  type SyncRunRecord,
} from "@pc-referrals/core";
import { startFakePartnerCenter, type FakePartnerCenter } from "@pc-referrals/core/testing";
import { afterAll, beforeAll, expect } from "vitest";
import type { PgStore } from "../../src/index.js";
import type { ChildCommand, ChildConfig } from "./child.js";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("../..", import.meta.url));
/** Generous: a child's first command pays for tsx and, on PGlite, a database start (~2-3 s). */
const LINE_TIMEOUT_MS = 25_000;

/** A line a child printed. */
export type ChildLine = { type: string; [key: string]: unknown };

/** A running child.ts. */
export interface Child {
  readonly pid: number;
  readonly lines: readonly ChildLine[];
  send(command: ChildCommand): void;
  /** The next line (after the last one awaited) that matches. */
  next(match: (line: ChildLine) => boolean): Promise<ChildLine>;
  /** Sends `command` and awaits its answer (`opened`, `report`, `error` or `closed`). */
  ask(command: ChildCommand): Promise<ChildLine>;
  /** SIGKILL, resolved once the process is gone. */
  kill(): Promise<void>;
  readonly exited: Promise<void>;
}

const live = new Set<ChildProcess>();

/** Starts child.ts with `config`; resolves once it is ready for commands. */
export async function spawnChild(config: ChildConfig): Promise<Child> {
  const proc = spawn(process.execPath, ["--conditions=@pc-referrals/source", "--import", "tsx", CHILD, JSON.stringify(config)], {
    cwd: PACKAGE_DIR,
    stdio: ["pipe", "pipe", "pipe"],
  });
  live.add(proc);
  const lines: ChildLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  proc.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => {
    proc.once("exit", () => {
      live.delete(proc);
      for (const wake of waiters) wake();
      resolve();
    });
  });
  createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (text) => {
    lines.push(JSON.parse(text) as ChildLine);
    for (const wake of waiters) wake();
  });
  let seen = 0;
  const next = (match: (line: ChildLine) => boolean): Promise<ChildLine> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        for (; seen < lines.length; seen++) {
          const line = lines[seen] as ChildLine;
          if (match(line)) {
            seen++;
            done();
            resolve(line);
            return;
          }
        }
        if (proc.exitCode !== null || proc.signalCode !== null) {
          done();
          reject(new Error(`child ${proc.pid} exited (${proc.exitCode ?? proc.signalCode}); stderr: ${stderr.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child ${proc.pid}: no matching line in time; lines: ${JSON.stringify(lines)}; stderr: ${stderr.slice(-2000)}`));
      }, LINE_TIMEOUT_MS);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const send = (command: ChildCommand): void => {
    proc.stdin?.write(`${JSON.stringify(command)}\n`);
  };
  const answers = new Set(["opened", "report", "error", "closed"]);
  const child: Child = {
    pid: proc.pid ?? -1,
    lines,
    send,
    next,
    ask(command) {
      send(command);
      return next((line) => answers.has(line.type));
    },
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
    exited,
  };
  await next((line) => line.type === "ready");
  return child;
}

/** SIGKILLs every child still running (for afterEach). */
export async function killAllChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (proc) =>
        new Promise<void>((resolve) => {
          proc.once("exit", () => resolve());
          proc.kill("SIGKILL");
        }),
    ),
  );
}

/** What an undisturbed sync of `referrals` stores: the oracle of every fault case. */
export interface Expected {
  ids: string[];
  cursor: string | null;
}

/** The page size of every child sync. */
export const PAGE_SIZE = 20;

/** A file's fake Partner Center holding `referrals`, and the oracle; call at describe level. */
export function useFaultsFake(referrals: readonly unknown[]): {
  readonly expected: Expected;
  /** A child's config on this fake, with the store part given. */
  childConfig(store: { schema: string } & ({ connectionString: string } | { dataDir: string })): ChildConfig;
} {
  let fake: FakePartnerCenter | null = null;
  let expected: Expected | null = null;
  beforeAll(async () => {
    // Latency keeps a run mid-page long enough to be killed there.
    fake = await startFakePartnerCenter({ referrals: [...referrals], latencyMs: 80 });
    expected = await undisturbedSync(referrals, PAGE_SIZE);
  });
  afterAll(async () => {
    await fake?.stop();
  });
  const started = (): FakePartnerCenter => {
    if (fake === null) throw new Error("the fake Partner Center is not running");
    return fake;
  };
  return {
    get expected() {
      if (expected === null) throw new Error("the undisturbed sync has not run");
      return expected;
    },
    childConfig: (store) => ({ fakeUrl: started().url, token: started().entra.issueAccessToken(), pageSize: PAGE_SIZE, ...store }),
  };
}

/** Syncs `referrals` once, without faults or latency, into the memory store. */
export async function undisturbedSync(referrals: readonly unknown[], pageSize: number): Promise<Expected> {
  const fake = await startFakePartnerCenter({ referrals: [...referrals] });
  const client = createPartnerCenterClient({ tokenProvider: createStaticTokenProvider(fake.entra.issueAccessToken()), baseUrl: fake.url });
  try {
    const store = createMemoryStore();
    const report = await createSyncEngine({ client, store, enabled: true, pageSize }).run({ trigger: "manual" });
    expect(report.status).toBe("succeeded");
    return { ids: await storedIds(store), cursor: (await store.getCursor("default"))?.updatedAt ?? null };
  } finally {
    await client.close();
    await fake.stop();
  }
}

async function storedIds(store: Store): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const result = await store.queryInbox({ page, pageSize: 500 });
    ids.push(...result.items.map((row) => row.referralId));
    if (ids.length >= result.total || result.items.length === 0) break;
  }
  return ids.sort();
}

/** Every good referral stored exactly once (one row, one raw lead), and the cursor where an undisturbed run puts it. */
export async function expectSyncedOnce(store: PgStore, expected: Expected): Promise<void> {
  expect(await storedIds(store)).toEqual(expected.ids);
  const rawLeadIds = (await store.listRawLeads()).map((lead) => lead.referralId).sort();
  expect(rawLeadIds).toEqual(expected.ids);
  const cursor = (await store.getCursor("default"))?.updatedAt ?? null;
  expect(cursor === null ? null : new Date(cursor).toISOString()).toBe(expected.cursor);
}

const instant = (value: string | null): string | null => (value === null ? null : new Date(value).toISOString());

/** The run record a report says was stored, with timestamps as instants. */
function recordOf(run: SyncRunRecord): SyncRunRecord {
  return { ...run, startedAt: instant(run.startedAt) as string, finishedAt: instant(run.finishedAt) };
}

/** The stored run record equals what the report said. */
export async function expectReportRecorded(store: PgStore, report: SyncReport): Promise<void> {
  const stored = (await store.listRuns({ limit: 500 })).find((run) => run.runId === report.runId);
  // durationMs, cursor and quarantined (the ids newly quarantined) belong to the report, not the stored record.
  const { durationMs: _duration, cursor: _cursor, quarantined: _quarantined, ...record } = report;
  expect(stored ? recordOf(stored) : null).toEqual(recordOf(record));
}

/** The report of a `report` line (fails the test on anything else). */
export function reportOf(line: ChildLine): SyncReport {
  expect(line, `expected a report, got ${JSON.stringify(line)}`).toMatchObject({ type: "report" });
  return line.report as SyncReport;
}
