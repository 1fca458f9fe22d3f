import { createServer, type Server } from "node:net";
import { expect } from "chai";
import { requireServePortsFree } from "../../scripts/demo/serve";

const PORT_VARIABLES = ["POR_DEMO_RPC_PORT", "POR_DEMO_WEB_PORT"] as const;

/** Runs `fn` with the demo's port variables set as given (unset otherwise), then restores them. */
async function withPorts(ports: { rpc?: string; web?: string }, fn: () => Promise<void>): Promise<void> {
  const saved = PORT_VARIABLES.map((name) => process.env[name]);
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  set("POR_DEMO_RPC_PORT", ports.rpc);
  set("POR_DEMO_WEB_PORT", ports.web);
  try {
    await fn();
  } finally {
    PORT_VARIABLES.forEach((name, i) => set(name, saved[i]));
  }
}

/** The message `requireServePortsFree` refuses with (fails the test if it does not refuse). */
async function refusal(): Promise<string> {
  try {
    await requireServePortsFree();
  } catch (err) {
    return (err as Error).message;
  }
  expect.fail("the ports were accepted");
}

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as { port: number }).port;

describe("npm run demo:serve ports", function () {
  it("refuses a port variable that is not a TCP port, naming it", async function () {
    for (const bad of ["nope", "0", "65536", "80.5"]) {
      await withPorts({ rpc: bad }, async () => {
        expect(await refusal()).to.equal(`$POR_DEMO_RPC_PORT must be a TCP port (1 to 65535), got "${bad}"`);
      });
    }
  });

  it("refuses, before the demo runs, a configured port that is taken", async function () {
    const [taken, free] = [await listening(), await listening()];
    const freePort = portOf(free);
    await new Promise((resolve) => free.close(resolve));
    try {
      await withPorts({ rpc: String(freePort), web: String(portOf(taken)) }, async () => {
        expect(await refusal()).to.equal(
          `cannot serve the web pages on 127.0.0.1:${portOf(taken)}: EADDRINUSE: is a node or a dev server already running there?`,
        );
      });
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
