import { getAddress, ZeroAddress } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { InvalidArgumentError } from "../core/errors";
import type { Address, Hex32 } from "../core/hex";
import { call } from "../chain/registry-client";
import { formatSubjectId } from "../core/subject-id";

/**
 * Two-step ownership of a subject: the owner offers it (transferSubjectOwnership, zero cancels the
 * offer) and the offered account accepts (acceptSubjectOwnership). The checks below refuse, before
 * anything is sent, what the registry would refuse (NotSubjectOwner, NotPendingSubjectOwner).
 */

/** A subject's owner and the account its ownership is offered to (null when none). */
export interface SubjectOwnership {
  subjectId: Hex32;
  owner: Address;
  pendingOwner: Address | null;
}

/** What an ownership offer does. */
export type OwnershipOffer = "offer" | "cancel" | "nothing-to-cancel";

/** Reads `subjectId`'s owner and pending owner (an unknown subject is a ChainError). */
export async function readSubjectOwnership(
  registry: ReserveRegistry,
  subjectId: Hex32,
): Promise<SubjectOwnership> {
  const [[, owner], pending] = await Promise.all([
    call("reading subject", () => registry.subject(subjectId)),
    call("reading subject", () => registry.pendingSubjectOwner(subjectId)),
  ]);
  return {
    subjectId,
    owner: getAddress(owner) as Address,
    pendingOwner: pending === ZeroAddress ? null : (getAddress(pending) as Address),
  };
}

/**
 * Checks that `sender` may offer the subject to `newOwner` and says what the offer does: "offer",
 * "cancel" (zero address with an offer pending), or "nothing-to-cancel" (zero address, no offer
 * pending: nothing needs sending). Throws InvalidArgumentError when `sender` is not the owner
 * (NotSubjectOwner) or `newOwner` already owns the subject.
 */
export function checkOwnershipOffer(
  ownership: SubjectOwnership,
  sender: string,
  newOwner: Address,
): OwnershipOffer {
  const label = formatSubjectId(ownership.subjectId);
  const from = getAddress(sender);
  if (from !== ownership.owner) {
    throw new InvalidArgumentError(
      `${from} is not the owner of subject ${label}: only its owner ${ownership.owner} can transfer it`,
    );
  }
  if (newOwner === ZeroAddress) return ownership.pendingOwner === null ? "nothing-to-cancel" : "cancel";
  if (newOwner === ownership.owner) {
    throw new InvalidArgumentError(`${newOwner} already owns subject ${label}`);
  }
  return "offer";
}

/**
 * Checks that `sender` may accept ownership of the subject: it must be the pending owner, else the
 * registry refuses with NotPendingSubjectOwner. Throws InvalidArgumentError saying who is.
 */
export function checkOwnershipAcceptance(ownership: SubjectOwnership, sender: string): void {
  const label = formatSubjectId(ownership.subjectId);
  const from = getAddress(sender);
  if (ownership.pendingOwner === from) return;
  if (ownership.pendingOwner === null) {
    throw new InvalidArgumentError(
      `no ownership offer is pending for subject ${label}: its owner ${ownership.owner} offers it first with \`por subject transfer\``,
    );
  }
  throw new InvalidArgumentError(
    `ownership of subject ${label} is offered to ${ownership.pendingOwner}, not to ${from}: accept with that account's key`,
  );
}
