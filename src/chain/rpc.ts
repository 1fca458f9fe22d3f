import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { ChainError, PorError } from "../core/errors";
import { isRevert } from "../core/revert";

/** How hard to try an RPC endpoint before calling it unreachable. */
export interface RetryPolicy {
  /** Attempts in total, the first included. */
  attempts: number;
  /** Delay before the second attempt; doubled for each attempt after it. */
  baseDelayMs: number;
  /** Per-request timeout. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 250, timeoutMs: 10_000 };

/** An endpoint did not answer after every retry: its data is unknown, never "healthy". */
export class UnreachableError extends PorError {
  override readonly name = "UnreachableError";
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `call` with exponential backoff on transport failures. Reverts are not retried: they are
 * answers. After the last attempt the failure becomes an UnreachableError naming `what`.
 */
export async function withRetry<T>(what: string, policy: RetryPolicy, call: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) await sleep(policy.baseDelayMs * 2 ** (attempt - 1));
    try {
      return await call();
    } catch (err) {
      if (isRevert(err)) throw err;
      lastError = err;
    }
  }
  throw new UnreachableError(`${what} unreachable after ${policy.attempts} attempts`, {
    details: shortReason(lastError),
    cause: lastError,
  });
}

function shortReason(err: unknown): string {
  const e = err as { shortMessage?: string; message?: string; code?: string };
  return e.shortMessage ?? e.code ?? e.message ?? String(err);
}

/**
 * A provider for `url` pinned to its chain id, so ethers never retries network detection on its
 * own, and a URL that points at the wrong chain is refused instead of read.
 */
export async function connectRpc(
  url: string,
  policy: RetryPolicy,
  expectedChainId?: bigint,
  label = url,
): Promise<JsonRpcProvider> {
  const request = () => {
    const req = new FetchRequest(url);
    req.timeout = policy.timeoutMs;
    return req;
  };
  const chainId = await withRetry(label, policy, async () => {
    const probe = request();
    probe.body = { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] };
    const response = await probe.send();
    response.assertOk();
    const result = (response.bodyJson as { result?: unknown }).result;
    if (typeof result !== "string") throw new Error(`unexpected eth_chainId answer from ${url}`);
    return BigInt(result);
  });
  if (expectedChainId !== undefined && chainId !== expectedChainId) {
    throw new ChainError(`${url} serves chain ${chainId}, not the configured ${expectedChainId}`);
  }
  return new JsonRpcProvider(request(), undefined, {
    staticNetwork: Network.from(chainId),
    batchMaxCount: 1,
  });
}
