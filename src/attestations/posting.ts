import type { Provider, Signer } from "ethers";
import type { ReserveRegistry } from "../../typechain-types";
import { ChainError } from "../core/errors";
import type { Address } from "../core/hex";
import { call, registryInterface } from "../chain/registry-client";
import { formatSubjectId } from "../core/subject-id";
import type { Submission } from "./submission";
import { formatTimestamp } from "../core/time";
import { DEFAULT_SEND_SETTINGS, executeCall } from "../chain/transactions";
import type { PlannedCall, SendObserver, SendSettings, SentCall } from "../chain/transactions";

/**
 * Posting an attestation with its quorum of signatures (buildSubmission) as the subject's next
 * round, through the send pipeline (transactions.ts): planned as one call, simulated in the
 * pending block, sent, and the new round id read from the AttestationPosted event of the receipt.
 */

/** Result of a posted attestation. */
export interface PostedRound {
  roundId: bigint;
  transactionHash: string;
  signers: Address[];
}

/** The registry call that posts `submission` (IReserveRegistry.postAttestation). */
export function planPostAttestation(registry: Address, submission: Submission): PlannedCall {
  const { attestation, signers, signatures } = submission;
  return {
    description:
      `post the attestation of subject ${formatSubjectId(attestation.subjectId)} as of ${formatTimestamp(attestation.asOf)} ` +
      `signed by ${signers.length} auditor${signers.length === 1 ? "" : "s"}`,
    to: registry,
    data: registryInterface.encodeFunctionData("postAttestation", [attestation, signers, signatures]),
  };
}

/** The round `sent` posted, from the AttestationPosted event in its receipt. */
export async function postedRound(
  provider: Provider,
  sent: SentCall,
  submission: Submission,
): Promise<PostedRound> {
  const receipt = await call("reading the posting's receipt", () =>
    provider.getTransactionReceipt(sent.transactionHash),
  );
  for (const log of receipt?.logs ?? []) {
    const parsed = tryParseLog(log);
    if (parsed?.name === "AttestationPosted") {
      return {
        roundId: parsed.args.roundId as bigint,
        transactionHash: sent.transactionHash,
        signers: submission.signers,
      };
    }
  }
  throw new ChainError("posting failed: no AttestationPosted event in the receipt", {
    details: sent.transactionHash,
  });
}

/**
 * Posts `submission` from the registry contract's signer (simulated first, so a refusal costs
 * nothing and decodes to a sentence), waits for `settings.confirmations`, and returns the new round
 * with the transaction.
 */
export async function postSubmission(
  registry: ReserveRegistry,
  submission: Submission,
  settings: Omit<SendSettings, "dryRun"> = DEFAULT_SEND_SETTINGS,
  observer?: SendObserver,
): Promise<PostedRound & { transaction: SentCall }> {
  const signer = registry.runner as Signer | null;
  if (signer === null || typeof signer.sendTransaction !== "function" || signer.provider === null) {
    throw new ChainError("posting needs the registry contract connected to a signer with a provider");
  }
  const planned = planPostAttestation((await registry.getAddress()) as Address, submission);
  const outcome = await executeCall(signer, planned, { ...settings, dryRun: false }, "posting", observer);
  if (!outcome.sent) throw new ChainError("posting failed: nothing was sent");
  return { ...(await postedRound(signer.provider, outcome, submission)), transaction: outcome };
}

function tryParseLog(log: { topics: readonly string[]; data: string }) {
  try {
    return registryInterface.parseLog(log);
  } catch {
    return null;
  }
}
