import { describe, expect, it } from "vitest";
import { ConfigError, PcReferralsError } from "../errors.js";
import { collect, rejectionOf, respondJson, startLocalServer, useCleanups, type LocalHandler } from "../../test/support/local-server.js";
import { odataFilter } from "./odata-filter.js";
import { createPartnerCenterClient } from "./partner-center-client.js";
import type { PartnerCenterClientOptions } from "./types.js";

const defer = useCleanups();
const serve = (handler: LocalHandler) => startLocalServer(handler, defer);

function client(baseUrl: string, overrides: Partial<PartnerCenterClientOptions> = {}) {
  const instance = createPartnerCenterClient({
    tokenProvider: { getAccessToken: async () => "token-1" },
    baseUrl,
    sleep: async () => {},
    random: () => 0,
    ...overrides,
  });
  defer(() => instance.close());
  return instance;
}

const referral = (id: string, extra: object = {}) => ({ id, status: "New", direction: "Incoming", ...extra });

describe("createPartnerCenterClient options", () => {
  it("lists every bad option in one ConfigError", () => {
    const bad = { tokenProvider: {}, baseUrl: "ftp://x", timeoutMs: -1, retry: { maxAttempts: 0 }, sleep: 5 };
    let error: unknown;
    try {
      createPartnerCenterClient(bad as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.path).sort()).toEqual(
      [
        "createPartnerCenterClient.baseUrl",
        "createPartnerCenterClient.retry.maxAttempts",
        "createPartnerCenterClient.sleep",
        "createPartnerCenterClient.timeoutMs",
        "createPartnerCenterClient.tokenProvider",
      ].sort(),
    );
  });
});

describe("items 7 and 8: listing and body limits", () => {
  it.each([
    ["maxPages", { maxPages: 0 }],
    ["maxPages", { maxPages: 1.5 }],
    ["maxResponseBytes", { maxResponseBytes: 0 }],
    ["maxResponseBytes", { maxResponseBytes: "16MB" }],
  ])("items 7 and 8: rejects a bad %s with config_invalid", (name, bad) => {
    expect(() => createPartnerCenterClient({ tokenProvider: { getAccessToken: async () => "t" }, ...(bad as object) })).toThrow(
      expect.objectContaining({ code: "config_invalid", issues: [expect.objectContaining({ path: `createPartnerCenterClient.${name}` })] }),
    );
  });

  it("item 7: maxPages stops a server that sends a new $skiptoken forever with page_limit_exceeded", async () => {
    const server = await serve((seen, res) => {
      const n = Number(new URL(seen.url, "http://x").searchParams.get("$skiptoken") ?? "0");
      // Ends after 50 pages only so that a missing cap fails the test rather than hanging it.
      respondJson(res, 200, { value: [referral(`r${n}`)], ...(n < 50 ? { "@odata.nextLink": `?$skiptoken=${n + 1}` } : {}) });
    });
    const pages: number[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const page of client(server.url, { maxPages: 4 }).listReferrals()) pages.push(page.pageNumber);
      })(),
    );
    expect(PcReferralsError.hasCode(error, "page_limit_exceeded")).toBe(true);
    expect(pages).toEqual([1, 2, 3, 4]);
    expect(server.seen).toHaveLength(4);
  });

  it("item 8: a page with more items than the $top sent is api_error, and is not retried", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, { value: [referral("a"), referral("b"), referral("c")] }));
    const error = await rejectionOf(collect(client(server.url).listReferrals({ top: 2, correlationId: "run-3" })));
    expect(PcReferralsError.hasCode(error, "api_error")).toBe(true);
    expect(error).toMatchObject({ status: 200, correlationId: "run-3" });
    expect((error as Error).message).toContain("$top=2");
    expect(server.seen).toHaveLength(1);
  });

  it("item 8: a page of exactly $top items is accepted", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, { value: [referral("a"), referral("b")] }));
    const [page] = await collect(client(server.url).listReferrals({ top: 2 }));
    expect(page?.referrals).toHaveLength(2);
  });
});

describe("listReferrals", () => {
  it("asks for our own path with ordering and $top=100 by default, and follows nextLink by its $skiptoken", async () => {
    const server = await serve((seen, res, n) => {
      if (n === 1) {
        respondJson(res, 200, {
          "@odata.count": 3,
          value: [referral("a"), referral("b")],
          "@odata.nextLink": "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=tok%2B2",
        });
      } else respondJson(res, 200, { value: [referral("c")] });
    });
    const pages = await collect(client(`${server.url}/prefix/`).listReferrals({ correlationId: "run-42" }));
    expect(pages.flatMap((p) => p.referrals.map((r) => (r.ok ? r.referral.id : "?")))).toEqual(["a", "b", "c"]);
    expect(pages.map((p) => [p.pageNumber, p.rawCount])).toEqual([
      [1, 3],
      [2, null],
    ]);
    expect(server.seen.map((s) => s.url)).toEqual([
      "/prefix/v1.0/engagements/referrals?$orderby=updatedDateTime%20desc&$top=100",
      "/prefix/v1.0/engagements/referrals?$orderby=updatedDateTime%20desc&$top=100&$skiptoken=tok%2B2",
    ]);
    expect(server.seen.map((s) => s.headers["ms-correlationid"])).toEqual(["run-42", "run-42"]);
  });

  it.each([
    [500, "$top=100"],
    [100, "$top=100"],
    [25.7, "$top=25"],
    [0, "$top=1"],
  ])("clamps top %s to %s", async (top, expected) => {
    const server = await serve((_seen, res) => respondJson(res, 200, { value: [] }));
    await collect(client(server.url).listReferrals({ top }));
    expect(server.seen[0]?.url).toContain(expected);
  });

  it("sends a built $filter encoded, with the caller's ordering", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, { value: [] }));
    const filter = odataFilter.and(odataFilter.eq("status", "New"), odataFilter.eq("customerProfile/address/country", "US"));
    await collect(client(server.url).listReferrals({ filter, orderBy: "createdDateTime asc" }));
    const url = new URL(server.seen[0]?.url ?? "", server.url);
    expect(url.searchParams.get("$filter")).toBe("status eq 'New' and customerProfile/address/country eq 'US'");
    expect(url.searchParams.get("$orderby")).toBe("createdDateTime asc");
  });

  it.each([
    ["a NaN top", { top: Number.NaN }],
    ["a non-string filter", { filter: 5 }],
  ])("rejects %s with invalid_input before any request", async (_name, query) => {
    const server = await serve((_seen, res) => respondJson(res, 200, { value: [] }));
    expect(() => client(server.url).listReferrals(query as never)).toThrow(expect.objectContaining({ code: "invalid_input" }));
    expect(server.seen).toHaveLength(0);
  });

  it("retries a page whose envelope is not a referral page, and marks a bad referral invalid", async () => {
    const server = await serve((_seen, res, n) =>
      n === 1 ? respondJson(res, 200, { values: [] }) : respondJson(res, 200, { value: [referral("a"), { id: "b", direction: 7 }] }),
    );
    const [page] = await collect(client(server.url).listReferrals());
    expect(page?.referrals.map((r) => r.ok)).toEqual([true, false]);
    expect(page?.referrals[1]).toMatchObject({ ok: false, referralId: "b" });
    expect(server.seen).toHaveLength(2);
  });

  it("keeps at most one page request in flight across concurrent listings", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const server = await serve((seen, res) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight -= 1;
        const next = seen.url.includes("skiptoken") ? {} : { "@odata.nextLink": "?$skiptoken=2" };
        respondJson(res, 200, { value: [referral("x")], ...next });
      }, 5);
    });
    const pc = client(server.url);
    await Promise.all([collect(pc.listReferrals()), collect(pc.listReferrals()), collect(pc.listReferrals())]);
    expect(server.seen).toHaveLength(6);
    expect(maxInFlight).toBe(1);
  });
});

describe("getReferral", () => {
  it("returns the validated referral", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r-1", { extraField: true })));
    await expect(client(server.url).getReferral("r-1")).resolves.toMatchObject({ id: "r-1", extraField: true });
    expect(server.seen[0]).toMatchObject({ method: "GET", url: "/v1.0/engagements/referrals/r-1" });
  });

  it("sends the caller's correlation id, or a fresh one per call", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r-1")));
    const pc = client(server.url);
    await pc.getReferral("r-1", { correlationId: "run-7" });
    await pc.getReferral("r-1");
    await pc.getReferral("r-1");
    const ids = server.seen.map((s) => s.headers["ms-correlationid"]);
    expect(ids[0]).toBe("run-7");
    expect(ids[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids[2]).not.toBe(ids[1]);
  });

  it("returns null on 404", async () => {
    const server = await serve((_seen, res) => respondJson(res, 404, { error: { code: "itemNotFound", message: "gone" } }));
    await expect(client(server.url).getReferral("missing")).resolves.toBeNull();
  });

  it.each(["", "  ", "a/b", "x\ny", 42])("rejects the id %j without a request", async (id) => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r")));
    await expect(client(server.url).getReferral(id as never)).rejects.toSatisfy((e) => PcReferralsError.hasCode(e, "invalid_input"));
    expect(server.seen).toHaveLength(0);
  });

  it("fails with api_error naming the bad paths when the referral does not match the schema", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, { id: "r", status: ["New"] }));
    await expect(client(server.url).getReferral("r")).rejects.toSatisfy(
      (e) => PcReferralsError.hasCode(e, "api_error") && e.message.includes("status"),
    );
  });
});

describe("updateReferral", () => {
  const ops = [
    { op: "replace", path: "/status", value: "Closed" },
    { op: "replace", path: "/substatus", value: "Won" },
  ] as const;

  it("PATCHes the operations with If-Match and Prefer, and returns the representation", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r-1", { status: "Closed", substatus: "Won" })));
    const updated = await client(server.url).updateReferral("r-1", ops, { etag: '"2500ec5a"' });
    expect(updated).toMatchObject({ id: "r-1", status: "Closed", substatus: "Won" });
    const [sent] = server.seen;
    expect(sent).toMatchObject({ method: "PATCH", url: "/v1.0/engagements/referrals/r-1" });
    expect(JSON.parse(sent?.body ?? "")).toEqual(ops);
    expect(sent?.headers).toMatchObject({
      "if-match": '"2500ec5a"',
      prefer: "return=representation",
      "content-type": "application/json",
    });
  });

  it("sends no If-Match without an etag", async () => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r-1")));
    await client(server.url).updateReferral("r-1", [{ op: "add", path: "/externalReferenceId", value: "CRM-1" }]);
    expect(server.seen[0]?.headers["if-match"]).toBeUndefined();
  });

  it("reads the referral back when the service answers 204", async () => {
    const server = await serve((seen, res) => (seen.method === "PATCH" ? respondJson(res, 204) : respondJson(res, 200, referral("r-1"))));
    await expect(client(server.url).updateReferral("r-1", ops, { correlationId: "run-9" })).resolves.toMatchObject({ id: "r-1" });
    expect(server.seen.map((s) => s.method)).toEqual(["PATCH", "GET"]);
    // The read-back belongs to the same operation, so it carries the same correlation id.
    expect(server.seen.map((s) => s.headers["ms-correlationid"])).toEqual(["run-9", "run-9"]);
  });

  it("returns null on 404 and fails a 412 at once", async () => {
    const server = await serve((_seen, res, n) =>
      n === 1 ? respondJson(res, 404, {}) : respondJson(res, 412, { error: { code: "preconditionFailed", message: "etag" } }),
    );
    const pc = client(server.url);
    await expect(pc.updateReferral("r-1", ops)).resolves.toBeNull();
    await expect(pc.updateReferral("r-1", ops, { etag: '"old"' })).rejects.toMatchObject({
      code: "api_error",
      status: 412,
      apiCode: "preconditionFailed",
    });
    expect(server.seen).toHaveLength(2);
  });

  it.each([
    ["no operations", []],
    ["a remove op", [{ op: "remove", path: "/status" }]],
    ["a path without a leading slash", [{ op: "replace", path: "status", value: "x" }]],
    ["an op without a value", [{ op: "add", path: "/status" }]],
  ])("rejects %s with invalid_input before any request", async (_name, operations) => {
    const server = await serve((_seen, res) => respondJson(res, 200, referral("r")));
    await expect(client(server.url).updateReferral("r-1", operations as never)).rejects.toSatisfy((e) =>
      PcReferralsError.hasCode(e, "invalid_input"),
    );
    expect(server.seen).toHaveLength(0);
  });
});
