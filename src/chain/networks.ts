import { ChainError, InvalidArgumentError } from "../core/errors";

/**
 * Networks defined by the environment, so any EVM chain needs no code: a network NAME exists when
 * POR_RPC_URL_<NAME> holds its RPC URL, and POR_CHAIN_ID_<NAME>, when set, is the chain id its node
 * must answer. NAME is upper-case in the variable and any case on the command line, where `-`
 * stands for `_` (`--network base-sepolia` is POR_RPC_URL_BASE_SEPOLIA). The network's name is
 * the variable's suffix in lower case ("base_sepolia"). hardhat.config.ts declares these networks
 * to Hardhat; the CLI resolves --network with resolveNetworkName and checks the chain id with
 * checkChainId before anything is sent. This module imports nothing that needs compiled
 * contracts: the Hardhat config loads it before compiling.
 */

export const RPC_URL_PREFIX = "POR_RPC_URL_";
export const CHAIN_ID_PREFIX = "POR_CHAIN_ID_";

/** Networks Hardhat defines itself, which the environment cannot redefine. */
export const BUILT_IN_NETWORKS = ["hardhat", "localhost"] as const;

/** A network defined by POR_RPC_URL_<NAME> (and POR_CHAIN_ID_<NAME>). */
export interface EnvNetwork {
  /** "sepolia", "base_sepolia": the variable's suffix in lower case. */
  name: string;
  url: string;
  urlVariable: string;
  /** The chain id POR_CHAIN_ID_<NAME> requires, or undefined when it is not set. */
  chainId?: bigint;
  chainIdVariable: string;
}

/** The variables' suffix for a network name as typed: "Base-Sepolia" → "BASE_SEPOLIA". */
export function networkVariableSuffix(name: string): string {
  return name.trim().toUpperCase().replace(/-/g, "_");
}

/** One non-empty POR_RPC_URL_<NAME> whose NAME is letters, digits and `_`, hardhat and localhost excepted. */
interface RpcUrlEntry {
  suffix: string;
  name: string;
  url: string;
  variable: string;
}

function rpcUrlEntries(env: NodeJS.ProcessEnv): RpcUrlEntry[] {
  const entries: RpcUrlEntry[] = [];
  for (const [variable, url] of Object.entries(env)) {
    if (!variable.startsWith(RPC_URL_PREFIX) || url === undefined || url.trim() === "") continue;
    const suffix = variable.slice(RPC_URL_PREFIX.length);
    const name = suffix.toLowerCase();
    if (!/^[A-Z0-9_]+$/.test(suffix) || isBuiltIn(name)) continue;
    entries.push({ suffix, name, url: url.trim(), variable });
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

/** The names of the networks the environment defines, sorted. */
export function envNetworkNames(env: NodeJS.ProcessEnv = process.env): string[] {
  return rpcUrlEntries(env).map((e) => e.name);
}

/**
 * The environment's network `name` (as resolveNetworkName returns it), or undefined. Refuses, in
 * one line, a POR_CHAIN_ID_<NAME> that is not a positive whole number.
 */
export function findEnvNetwork(name: string, env: NodeJS.ProcessEnv = process.env): EnvNetwork | undefined {
  const entry = rpcUrlEntries(env).find((e) => e.name === name);
  if (entry === undefined) return undefined;
  const chainIdVariable = `${CHAIN_ID_PREFIX}${entry.suffix}`;
  return {
    name: entry.name,
    url: entry.url,
    urlVariable: entry.variable,
    chainId: parseChainId(env[chainIdVariable], chainIdVariable),
    chainIdVariable,
  };
}

/**
 * The Hardhat network --network NAME means: a built-in one (hardhat, localhost) in any case, else
 * the environment's. Refuses, in one line saying how to define it, a name the environment does not
 * define, and POR_RPC_URL_HARDHAT / POR_RPC_URL_LOCALHOST (they would silently be ignored).
 */
export function resolveNetworkName(typed: string, env: NodeJS.ProcessEnv = process.env): string {
  const suffix = networkVariableSuffix(typed);
  const lower = suffix.toLowerCase();
  if (isBuiltIn(lower)) {
    const variable = `${RPC_URL_PREFIX}${suffix}`;
    if (env[variable] !== undefined && env[variable] !== "") {
      throw new InvalidArgumentError(`${variable} is not used: ${lower} is built in`, {
        details:
          lower === "localhost"
            ? "its URL is $POR_LOCALHOST_RPC (default http://127.0.0.1:8545); unset the variable"
            : "it is the in-process network; unset the variable",
      });
    }
    return lower;
  }
  const names = envNetworkNames(env);
  if (/^[A-Z0-9_]+$/.test(suffix) && names.includes(lower)) return lower;
  const example = /^[A-Z0-9_]+$/.test(suffix) ? suffix : "NAME";
  throw new InvalidArgumentError(
    `unknown network ${JSON.stringify(typed)}: define it with ${RPC_URL_PREFIX}${example}=<RPC URL> ` +
      `(and optionally ${CHAIN_ID_PREFIX}${example}=<chain id>); defined: ${[...BUILT_IN_NETWORKS, ...names].join(", ")}`,
  );
}

/**
 * Refuses a node whose eth_chainId is not the one POR_CHAIN_ID_<NAME> requires, naming both ids,
 * so that a URL pointing at the wrong chain sends nothing.
 */
export function checkChainId(network: EnvNetwork, actual: bigint): void {
  if (network.chainId !== undefined && network.chainId !== actual) {
    throw new ChainError(
      `network ${network.name} answers chain id ${actual}, but ${network.chainIdVariable} requires ${network.chainId}: nothing sent`,
      { details: `check ${network.urlVariable}` },
    );
  }
}

/**
 * The `networks` entries hardhat.config.ts adds: { url, chainId } per environment network (Hardhat
 * itself then also refuses to sign for another chain). Lenient where findEnvNetwork is strict: a
 * malformed chain id is left out here and refused by the CLI with one line, not by Hardhat at load.
 */
export function hardhatNetworksFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Record<string, { url: string; chainId?: number }> {
  const networks: Record<string, { url: string; chainId?: number }> = {};
  for (const { suffix, name, url } of rpcUrlEntries(env)) {
    const chainId = Number(env[`${CHAIN_ID_PREFIX}${suffix}`]?.trim());
    networks[name] = { url, ...(Number.isSafeInteger(chainId) && chainId > 0 ? { chainId } : {}) };
  }
  return networks;
}

function isBuiltIn(name: string): boolean {
  return (BUILT_IN_NETWORKS as readonly string[]).includes(name);
}

function parseChainId(value: string | undefined, variable: string): bigint | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (!/^[1-9]\d*$/.test(value.trim())) {
    throw new InvalidArgumentError(
      `${variable} must be a chain id (a positive whole number), got ${JSON.stringify(value)}`,
    );
  }
  return BigInt(value.trim());
}
