// GET /metrics: Prometheus text of engine.metrics(), the same numbers the engine reports.
import { metricSamples } from "@pc-referrals/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prometheusText } from "../src/index.js";
import { startHarness, syncThroughRoute, type Harness } from "./route-harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ routes: { metrics: true } });
});
afterAll(() => h.stop());

describe("GET /metrics", () => {
  it("serves the engine's counters as Prometheus text, one HELP/TYPE block per metric", async () => {
    const report = (await syncThroughRoute(h)) as { counts: { fetched: number; ingested: number } };
    const res = await h.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toBe(prometheusText(metricSamples(h.engine.metrics())));
    expect(text).toContain('pc_referrals_sync_runs_total{status="succeeded"} 1\n');
    expect(text).toContain(`pc_referrals_referrals_fetched_total ${report.counts.fetched}\n`);
    expect(text).toContain(`pc_referrals_referrals_total{outcome="inserted"} ${report.counts.ingested}\n`);
    const names = [...text.matchAll(/^# TYPE (\S+) counter$/gm)].map((m) => m[1]);
    expect(new Set(names).size).toBe(names.length);
    for (const line of text.trimEnd().split("\n")) expect(line).toMatch(/^(# (HELP|TYPE) \S+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? \d+)$/);
  });

  it("escapes label values and help text", () => {
    const text = prometheusText([{ name: "x_total", help: "a\\b\nc", labels: { l: 'q"\\\n' }, value: 2 }]);
    expect(text).toBe('# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{l="q\\"\\\\\\n"} 2\n');
  });
});
