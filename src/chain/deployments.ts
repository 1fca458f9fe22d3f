import { promises as fs } from "node:fs";
import * as path from "node:path";
import { getAddress, isAddress, ZeroAddress } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { ChainError, InvalidArgumentError, InvalidFileError } from "../core/errors";
import { isLiveRoundId } from "../core/feed-rounds";
import { readJsonFile } from "../node/files";
import type { Address, Hex32 } from "../core/hex";
import { call } from "./registry-client";
import { formatSubjectId } from "../core/subject-id";

/**
 * What `por` deploys and where it records it: one Hardhat Ignition module per contract (deploy/),
 * recorded in the chain's Ignition deployment (deployments/chain-<id>/deployed_addresses.json,
 * future id → address). The registry's module is ReserveRegistryModule; a subject's contracts each
 * get a module of their own, named after the contract and the subject ("ReserveFeed_USDX"), so
 * every subject's feeds and token are recorded side by side in the same deployment.
 */

/** The registry's Ignition module and future id (as `por deploy` has always recorded it). */
export const REGISTRY_MODULE_ID = "ReserveRegistryModule";

/** The contracts deployed per subject, by the name `por feed deploy --kind` and `por token deploy` use. */
export const SUBJECT_CONTRACTS = {
  reserves: "ReserveFeed",
  ratio: "ReserveRatioFeed",
  "address-list": "PoRAddressList",
  token: "ReserveBackedToken",
} as const;

/** A feed kind of `por feed deploy --kind`. */
export type FeedKind = Exclude<keyof typeof SUBJECT_CONTRACTS, "token">;

/** The feed kinds, in the order they are listed. */
export const FEED_KINDS: readonly FeedKind[] = ["reserves", "ratio", "address-list"];

/** `input` as a feed kind, or InvalidArgumentError listing the kinds. */
export function parseFeedKind(input: string): FeedKind {
  const kind = FEED_KINDS.find((k) => k === input);
  if (kind === undefined) {
    throw new InvalidArgumentError(`unknown feed kind ${JSON.stringify(input)}`, {
      details: `use one of ${FEED_KINDS.join(", ")}`,
    });
  }
  return kind;
}

/**
 * The Ignition module id of `contractName` for `subjectId`: "ReserveFeed_USDX" for a text id made
 * of letters, digits and underscores, else "ReserveFeed_0x…" with the 32-byte hex id (Ignition
 * ids allow nothing else).
 */
export function subjectModuleId(contractName: string, subjectId: Hex32): string {
  const text = formatSubjectId(subjectId);
  return `${contractName}_${/^[A-Za-z0-9_]+$/.test(text) ? text : subjectId}`;
}

/** Ignition's id of the contract future `contractName` of module `moduleId`. */
export function futureIdOf(moduleId: string, contractName: string): string {
  return `${moduleId}#${contractName}`;
}

/** The file in which Ignition records a deployment's addresses. */
export function deployedAddressesFile(deploymentDir: string): string {
  return path.join(deploymentDir, "deployed_addresses.json");
}

/** Future id → address, as recorded in `deploymentDir` ({} when nothing is recorded there yet). */
export async function readDeployedAddresses(deploymentDir: string): Promise<Record<string, Address>> {
  const file = deployedAddressesFile(deploymentDir);
  try {
    await fs.access(file);
  } catch {
    return {};
  }
  const parsed = await readJsonFile(file);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidFileError(`${file} is not a JSON object`);
  }
  const addresses: Record<string, Address> = {};
  for (const [futureId, address] of Object.entries(parsed)) {
    if (typeof address !== "string" || !isAddress(address)) {
      throw new InvalidFileError(
        `${file} records ${JSON.stringify(address)} for ${futureId}, not an address`,
      );
    }
    addresses[futureId] = getAddress(address) as Address;
  }
  return addresses;
}

/**
 * How the record stands for a contract about to be deployed at `expected`: "none" (not recorded)
 * or "same" (recorded at `expected`). A record of another address (another admin or salt for the
 * registry, another registry for a subject's contract) is refused: Ignition keeps one address per
 * future id and chain.
 */
export function recordState(
  recorded: Record<string, Address>,
  futureId: string,
  expected: Address,
  deploymentDir: string,
): "none" | "same" {
  const found = recorded[futureId];
  if (found === undefined) return "none";
  if (found === expected) return "same";
  throw new InvalidArgumentError(
    `${deployedAddressesFile(deploymentDir)} already records ${futureId} at ${found}, not ${expected}`,
    {
      details: futureId.startsWith(`${REGISTRY_MODULE_ID}#`)
        ? "pass --reset to forget this chain's record (another admin or salt gives another registry)"
        : "it was deployed for another registry; set POR_IGNITION_DIR to record this one elsewhere",
    },
  );
}

/** What a secure-mint token must agree with in its subject. */
export interface SubjectTokenState {
  subjectId: Hex32;
  decimals: number;
  /** The token the subject names (the zero address for none). */
  token: Address;
  /** Whether a round or a reserve wallet has backed the subject: its token can no longer change. */
  frozen: boolean;
}

/** The subject's decimals, token and whether the token is frozen; an unknown subject is refused. */
export async function readSubjectTokenState(
  registry: ReserveRegistry,
  subjectId: Hex32,
  what: string,
): Promise<SubjectTokenState> {
  const [config] = await call(what, () => registry.subject(subjectId));
  const [latestRoundId, [reservesRoundId]] = await Promise.all([
    call(what, () => registry.latestRoundId(subjectId)),
    call(what, () => registry.reservesRound(subjectId)),
  ]);
  return {
    subjectId,
    decimals: Number(config.decimals),
    token: getAddress(config.token) as Address,
    // The registry freezes the token once a round is posted or a wallet added (a live reserves round).
    frozen: latestRoundId !== 0n || isLiveRoundId(reservesRoundId),
  };
}

/** Whether the subject already names the token, or still can (what `por token deploy` tells). */
export type TokenNaming = "named" | "to-name";

/**
 * Checks that a token of `decimals` at `token` can back `subject`: the same decimals as the subject
 * (the registry refuses to name a token of others, DecimalsMismatch), and a subject that either
 * names this token already or can still name it (TokenFrozen once a round or a wallet backed it).
 */
export function checkTokenForSubject(
  subject: SubjectTokenState,
  decimals: number,
  token: Address,
  what: string,
): TokenNaming {
  const id = formatSubjectId(subject.subjectId);
  if (decimals !== subject.decimals) {
    throw new InvalidArgumentError(
      `${what}: subject ${id} uses ${subject.decimals} decimals, the token would have ${decimals}`,
      { details: "a subject's token must have the subject's decimals: leave out --decimals" },
    );
  }
  if (subject.token === token) return "named";
  if (subject.frozen) {
    throw new ChainError(
      `${what}: subject ${id} can no longer name a token (it names ${subject.token === ZeroAddress ? "none" : subject.token})`,
      { details: "the registry freezes the token once a round or a reserve wallet backs the subject" },
    );
  }
  return "to-name";
}
