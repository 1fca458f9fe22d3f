import {
  AbiCoder,
  concat,
  getAddress,
  getCreate2Address,
  hexlify,
  Interface,
  isHexString,
  keccak256,
  toUtf8Bytes,
  zeroPadValue,
} from "ethers";
import { InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";

/**
 * Same address on every chain: contracts are deployed through the CreateX factory's CREATE2
 * (`deployCreate2(salt, initCode)`, what Hardhat Ignition's create2 strategy calls), so an address
 * depends on the factory (the same on every chain), the salt and the init code (bytecode +
 * constructor arguments), never on the deploying account's nonce.
 *
 * CreateX guards the salt (its `_guard`): the first 20 bytes name who may use it (zero: anyone;
 * the sender's own address: only that sender, and the address then depends on the sender too),
 * the 21st byte asks for cross-chain redeploy protection (0x01 mixes in the chain id, so the
 * address differs per chain: never used here), the last 11 bytes are free.
 */

/** CreateX v1 (github.com/pcaversaccio/createx), at this address on every chain that has it. */
export const CREATEX_ADDRESS = "0xba5Ed099633D3B313e4D5F7bdc1305d3c28ba5Ed" as Address;

/** keccak256 of CreateX's runtime code: anything else at CREATEX_ADDRESS is not CreateX. */
export const CREATEX_CODE_HASH = "0xbd8a7ea8cfca7b4e5f5041d7d4b17bc317c5ce42cfbc42066a00cf26b43eb53f";

/** The keyless account whose presigned transaction (nonce 0, no chain id) deploys CreateX. */
export const CREATEX_DEPLOYER = "0xeD456e05CaAb11d66C4c797dD6c1D6f9A7F352b5" as Address;

/** The part of CreateX's interface used here. */
export const createXInterface = new Interface([
  "function deployCreate2(bytes32 salt, bytes initCode) payable returns (address newContract)",
  "function computeCreate2Address(bytes32 salt, bytes32 initCodeHash) view returns (address computedAddress)",
  "event ContractCreation(address indexed newContract, bytes32 indexed salt)",
  "error FailedContractCreation(address emitter)",
  "error InvalidSalt(address emitter)",
]);

/** The label of the salt every `por` deployment uses unless `por deploy --salt` names another. */
export const DEFAULT_SALT_LABEL = "por-registry/v1";

/** Who a salt lets deploy at its address (CreateX's first 20 bytes). */
export type SaltGuard = { kind: "anyone" } | { kind: "sender"; sender: Address };

/**
 * The salt of `label`: 20 zero bytes (anyone may deploy: the address depends on no account), a zero
 * byte (no cross-chain redeploy protection: the same address on every chain), then the first 11
 * bytes of keccak256(label).
 */
export function saltOfLabel(label: string): Hex32 {
  if (label.trim().length === 0) throw new InvalidArgumentError("a salt label must not be empty");
  const tail = keccak256(toUtf8Bytes(label)).slice(2, 2 + 22);
  return `0x${"00".repeat(21)}${tail}` as Hex32;
}

/**
 * A salt from the user: a 0x-prefixed 32-byte hex salt as is (checked by saltGuard against
 * `sender`), anything else a label (saltOfLabel).
 */
export function parseSalt(input: string, sender: string): { salt: Hex32; label: string | null } {
  if (input.startsWith("0x")) {
    if (!isHexString(input, 32)) {
      throw new InvalidArgumentError(`salt ${input} is hex but not 32 bytes`, {
        details: "pass a 0x-prefixed 32-byte salt, or a text label",
      });
    }
    const salt = input.toLowerCase() as Hex32;
    saltGuard(salt, sender);
    return { salt, label: null };
  }
  return { salt: saltOfLabel(input), label: input };
}

/**
 * Who may deploy with `salt` when `sender` sends it, refusing salts that would not give the same
 * address on every chain (cross-chain redeploy protection) or that CreateX refuses.
 */
export function saltGuard(salt: Hex32, sender: string): SaltGuard {
  const prefix = getAddress(`0x${salt.slice(2, 42)}`) as Address;
  const flag = salt.slice(42, 44);
  const bySender = prefix === getAddress(sender);
  const byAnyone = /^0x0{40}$/i.test(prefix);
  if (!bySender && !byAnyone) {
    throw new InvalidArgumentError(`salt ${salt} starts with ${prefix}, which is not the sender`, {
      details: `its first 20 bytes must be zero (anyone may deploy) or the sender ${getAddress(sender)}`,
    });
  }
  if (flag !== "00") {
    throw new InvalidArgumentError(`salt ${salt} has 0x${flag} as its 21st byte`, {
      details: "it must be 0x00: 0x01 asks CreateX for a different address on each chain",
    });
  }
  return bySender ? { kind: "sender", sender: prefix } : { kind: "anyone" };
}

/** The salt CreateX uses for CREATE2 when `sender` calls it with `salt` (its `_guard`). */
export function guardedSalt(salt: Hex32, sender: string): Hex32 {
  const guard = saltGuard(salt, sender);
  if (guard.kind === "sender") {
    return keccak256(concat([zeroPadValue(guard.sender, 32), salt])) as Hex32;
  }
  return keccak256(AbiCoder.defaultAbiCoder().encode(["bytes32"], [salt])) as Hex32;
}

/** Init code: creation bytecode followed by the ABI-encoded constructor arguments. */
export function initCodeOf(bytecode: string, abi: Interface, args: readonly unknown[]): string {
  return hexlify(concat([bytecode, abi.encodeDeploy(args)]));
}

/** Where CreateX's deployCreate2(salt, initCode) sent by `sender` puts the contract. */
export function create2Address(salt: Hex32, initCode: string, sender: string): Address {
  return getCreate2Address(CREATEX_ADDRESS, guardedSalt(salt, sender), keccak256(initCode)) as Address;
}

/** Calldata of CreateX's deployCreate2(salt, initCode). */
export function deployCreate2Data(salt: Hex32, initCode: string): string {
  return createXInterface.encodeFunctionData("deployCreate2", [salt, initCode]);
}
