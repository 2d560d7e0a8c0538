// A local chat-webhook receiver: records every POSTed JSON body. `pnpm start` posts to it when no
// WEBHOOK_URL is set; the test uses it to see exactly what a chat would receive.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface Receiver {
  url: string;
  /** Every JSON body received, in order (including those answered with an error status). */
  bodies: unknown[];
  /** Status of the next answers, in order; afterwards 200. */
  answerWith(statuses: number[]): void;
  stop(): Promise<void>;
}

export async function startReceiver(onMessage: (body: unknown) => void = () => {}): Promise<Receiver> {
  const bodies: unknown[] = [];
  let planned: number[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8") || "null");
      bodies.push(body);
      const status = planned.shift() ?? 200;
      if (status === 200) onMessage(body);
      res.writeHead(status, { "content-type": "text/plain", ...(status === 429 ? { "retry-after": "0" } : {}) }).end(status === 200 ? "ok" : "no");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/referrals`,
    bodies,
    answerWith(statuses) {
      planned = [...statuses];
    },
    stop: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
