// GET /metrics: the engine's counters in the Prometheus text exposition format (version 0.0.4).
import { metricSamples, type MetricSample } from "@pc-referrals/core";
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { RouteSettings } from "./route-options.js";
import { problem, problems } from "./route-kit.js";
import { requireEngine, scopeOf } from "./tenant-scope.js";

const metrics = createRoute({
  method: "get",
  path: "/metrics",
  tags: ["metrics"],
  summary: "Engine counters for Prometheus",
  responses: {
    200: { description: "Prometheus text format 0.0.4.", content: { "text/plain": { schema: z.string() } } },
    ...problems(401, 403),
    404: problem("`not_found`: a tenant's request, when no engine syncs that tenant (workers do)."),
  },
});

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

/** Samples as Prometheus text: one HELP/TYPE block per metric name, every counter a `_total`. */
export function prometheusText(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const sample of samples) byName.set(sample.name, [...(byName.get(sample.name) ?? []), sample]);
  const lines: string[] = [];
  for (const [name, group] of byName) {
    lines.push(`# HELP ${name} ${escapeHelp(group[0]?.help ?? "")}`, `# TYPE ${name} counter`);
    for (const { labels, value } of group) {
      const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
      lines.push(`${name}${pairs.length === 0 ? "" : `{${pairs.join(",")}}`} ${value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Adds GET /metrics to `app`. */
export function registerMetricsRoutes(app: OpenAPIHono, settings: RouteSettings): void {
  app.openapi(metrics, (c) => {
    const engine = requireEngine(scopeOf(c, settings), "GET /metrics");
    return c.text(prometheusText(metricSamples(engine.metrics())), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
  });
}
