// undici's Agent without the rest of undici. `import { Agent } from "undici"` evaluates the whole
// package (fetch, WebSocket, EventSource, cache, mocks): a large share of a first run's start-up,
// which the CLI's `sync` pays every time. The client needs the Agent and the request API only.
// undici is pinned in package.json; undici-agent.test.ts checks both paths against the package.
import type { Agent as UndiciAgent } from "undici";
// @ts-expect-error undici publishes no types for its internal modules; the casts below give them.
import AgentModule from "undici/lib/dispatcher/agent.js";
// @ts-expect-error as above
import dispatcherApi from "undici/lib/api/index.js";
// @ts-expect-error as above
import Dispatcher from "undici/lib/dispatcher/dispatcher.js";

// What undici's index does: `request`, `stream`, … live on Dispatcher.prototype (the same functions,
// so a host that also loads the whole package sees no difference).
Object.assign((Dispatcher as { prototype: object }).prototype, dispatcherApi as object);

export const Agent = AgentModule as typeof UndiciAgent;
export type Agent = UndiciAgent;
