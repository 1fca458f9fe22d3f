import { getAddress, id, ZeroAddress, ZeroHash } from "ethers";
import { formatAmount } from "./amounts";
import { formatRatio } from "./ratio";
import { formatSubjectId } from "./subject-id";
import { formatDuration, formatTimestamp } from "./time";

/** A decoded revert's arguments by parameter name, as ethers decodes them (bigint, string, boolean). */
export type RevertArgs = Readonly<Record<string, unknown>>;

/** What a sentence may say about where the error came from. */
export interface SentenceContext {
  /** The contract the call went to, as users call it ("registry", "token"); default "registry". */
  contract?: string;
}

type Sentence = (a: ArgReader, context: Required<SentenceContext>) => string;

/**
 * One sentence per custom error our contracts (registry, feeds, SecureMint, ReserveBackedToken,
 * PoRAddressList, the libraries, and the OpenZeppelin code they inherit) can revert with, in the
 * terms of the user who hit it, plus Error(string) and Panic(uint256). Keyed by error name: two
 * errors with one name must mean the same thing to a user.
 */
const SENTENCES: Record<string, Sentence> = {
  // --- ReserveRegistry: auditors
  InvalidAuditorAddress: () => "the zero address cannot be an auditor",
  EmptyAuditorName: () => "an auditor needs a non-empty name",
  AuditorAlreadyAccredited: (a) => `${a.address("auditor")} is already an accredited auditor`,
  AuditorNotAccredited: (a) =>
    `${a.address("auditor")} is not an accredited auditor (never accredited, or revoked by the registry admin)`,

  // --- subjects
  InvalidSubjectId: () => "the subject id is all zero bytes; pick a name such as USDX",
  SubjectAlreadyRegistered: (a) => `${a.subject("subjectId")} is already registered; pick another id`,
  UnknownSubject: (a) => `${a.subject("subjectId")} is not registered in this registry`,
  NotSubjectOwner: (a) =>
    `only the owner of ${a.subject("subjectId")} can do this (${a.address("account")} is not its owner)`,
  NotPendingSubjectOwner: (a) =>
    `only the address ${a.subject("subjectId")} is being transferred to can accept it (${a.address("account")} is not)`,
  EmptySubjectName: () => "a subject needs a non-empty name",
  InvalidDecimals: (a) =>
    `${a.uint("decimals")} decimals is more than the registry allows (at most ${a.uint("maxDecimals")})`,
  DecimalsFrozen: (a) =>
    `the decimals of ${a.subject("subjectId")} cannot change from ${a.uint("currentDecimals")} to ${a.uint("decimals")}` +
    " (auditors sign amounts in its units); register a new subject instead",
  TokenFrozen: (a) =>
    `the token of ${a.subject("subjectId")} cannot change from ${a.optionalAddress("currentToken")} to ${a.optionalAddress("token")}` +
    " once a round or a reserve wallet backs it; register a new subject instead",
  ReserveAssetFrozen: (a) =>
    `the reserve asset of ${a.subject("subjectId")} cannot change from ${a.optionalAddress("current")} to ${a.optionalAddress("requested")}` +
    " once a round or a reserve wallet backs it; register a new subject instead",
  DecimalsMismatch: (a) =>
    `the subject uses ${a.uint("subjectDecimals")} decimals but its token has ${a.uint("tokenDecimals")}; they must be the same`,
  InvalidHeartbeat: (a) =>
    a.uint("heartbeat") === 0n
      ? "the heartbeat must be longer than 0 seconds"
      : `a heartbeat of ${a.duration("heartbeat")} is longer than the registry's maximum of ${a.duration("maxHeartbeat")}`,
  NotAContract: (a) =>
    `${a.address("account")} has no contract code; a token or reserve asset must be a deployed ERC-20 on this chain`,
  NotAToken: (a) => `${a.address("account")} does not answer ERC-20 decimals(), so it is not a token`,
  TooManyAuditors: (a) =>
    `${a.uint("count")} auditors listed; a subject can have at most ${a.uint("maxCount")}`,
  InvalidQuorum: (a) =>
    a.uint("quorum") === 0n
      ? "the quorum must be at least 1"
      : `a quorum of ${a.uint("quorum")} is more than the ${a.uint("auditorCount")} auditors listed`,
  DuplicateAuditor: (a) => `auditor ${a.address("auditor")} is listed twice`,

  // --- reserve assets and wallets
  ReserveAssetNotApproved: (a) =>
    `${a.address("asset")} is not an approved reserve asset (only the registry admin approves them; see \`por asset list\`)`,
  ReserveAssetAlreadyApproved: (a) => `${a.address("asset")} is already an approved reserve asset`,
  NoReserveAsset: (a) =>
    `${a.subject("subjectId")} names no reserve asset, so it cannot have reserve wallets`,
  ReserveWalletAlreadyAdded: (a) => `${a.address("wallet")} already backs ${a.subject("subjectId")}`,
  ReserveWalletInUse: (a) =>
    `${a.address("wallet")} already backs ${a.subject("otherSubjectId")} with the same reserve asset; one balance cannot count twice`,
  ReserveWalletNotFound: (a) => `${a.address("wallet")} is not a reserve wallet of ${a.subject("subjectId")}`,
  ReserveWalletBacksLiabilities: (a) =>
    `${a.address("wallet")} holds reserves that back ${a.subject("subjectId")}: without it ${a.uint("reservesAfter")}` +
    ` base units would be left against ${a.uint("outstandingLiabilities")} owed. Move its funds to another of the` +
    " subject's wallets, burn tokens or post a round that attests less first",
  InvalidReserveWalletSignature: (a) =>
    `the consent signature of wallet ${a.address("wallet")} does not verify` +
    " (signed by another key, or for another subject, reserve asset, registry or chain)",
  TooManyReserveWallets: (a) =>
    `${a.subject("subjectId")} already has the maximum of ${a.uint("maxCount")} reserve wallets`,
  LiveReservesOverflow: (a) =>
    `the reserve wallets of ${a.subject("subjectId")} hold more than 2^256 - 1 base units in total, which cannot be summed`,

  // --- attestations
  AmountTooLarge: (a) =>
    `an attested amount of ${a.uint("amount")} base units is above the registry's maximum of ${a.uint("maxAmount")}`,
  SignatureCountMismatch: (a) =>
    `${a.uint("signerCount")} signers were given with ${a.uint("signatureCount")} signatures; each signer needs exactly one`,
  QuorumNotMet: (a) =>
    `not enough auditor signatures: ${a.uint("signerCount")} given, the subject's quorum is ${a.uint("quorum")}`,
  SignersNotAscending: (a) =>
    `signers must be sorted by address, ascending, each once (signer #${a.uint("index") + 1n}, ${a.address("signer")}, is out of order or repeated)`,
  SignerNotSubjectAuditor: (a) =>
    `${a.address("signer")} is not one of the auditors listed for ${a.subject("subjectId")}`,
  InvalidSignature: (a) =>
    `the signature of ${a.address("signer")} does not verify for this attestation` +
    " (signed by another key, or over other figures, registry or chain)",
  StaleAttestation: (a) =>
    `this round or a newer one is already posted (asOf ${a.time("asOf")} is not after the latest round's asOf ${a.time("latestAsOf")})`,
  FutureAttestation: (a) =>
    `asOf ${a.time("asOf")} is in the future: ${formatDuration(a.uint("asOf") - a.uint("blockTimestamp"))}` +
    ` after the chain's time ${a.time("blockTimestamp")}`,
  RoundNotFound: (a) => `${a.subject("subjectId")} has no round ${a.uint("roundId")}`,

  // --- OpenZeppelin AccessControl and AccessControlDefaultAdminRules (the registry's admin)
  AccessControlUnauthorizedAccount: (a, c) =>
    a.hex("neededRole") === ZeroHash
      ? `only the ${c.contract} admin can do this (${a.address("account")} is not the admin)`
      : `only an account with the ${a.role("neededRole")} role on the ${c.contract} can do this (${a.address("account")} does not have it)`,
  AccessControlBadConfirmation: () =>
    "renouncing a role must be confirmed with the caller's own address as the account",
  AccessControlEnforcedDefaultAdminDelay: (a, c) =>
    a.uint("schedule") === 0n
      ? `no admin transfer of the ${c.contract} is scheduled (or it was cancelled)`
      : `the admin transfer delay has not passed: it can complete after ${a.time("schedule")}`,
  AccessControlEnforcedDefaultAdminRules: () =>
    "the admin role cannot be granted or revoked directly: transfer it with beginDefaultAdminTransfer, then acceptDefaultAdminTransfer by the new admin after the delay",
  AccessControlInvalidDefaultAdmin: (a, c) =>
    `${a.address("defaultAdmin")} cannot become the ${c.contract} admin (only the pending admin can accept a transfer, and never the zero address)`,

  // --- OpenZeppelin utilities compiled into our contracts
  SafeCastOverflowedUintDowncast: (a) =>
    `the value ${a.uint("value")} does not fit in ${a.uint("bits")} bits`,
  StringTooLong: (a) =>
    `the text ${JSON.stringify(a.text("str"))} is too long for a short string (31 bytes at most)`,
  InvalidShortString: () => "a stored short string is malformed",
  StringsInsufficientHexLength: (a) =>
    `the value ${a.uint("value")} does not fit in ${a.uint("length")} bytes of hex`,

  // --- ERC-20 (ReserveBackedToken)
  ERC20InsufficientBalance: (a) =>
    `${a.address("sender")} holds ${a.uint("balance")} base units of the token, less than the ${a.uint("needed")} needed`,
  ERC20InsufficientAllowance: (a) =>
    `${a.address("spender")} may spend ${a.uint("allowance")} base units, less than the ${a.uint("needed")} needed (approve more first)`,
  ERC20InvalidApprover: (a) => `${a.address("approver")} cannot approve a spender`,
  ERC20InvalidReceiver: (a) => `tokens cannot be sent to ${a.address("receiver")}`,
  ERC20InvalidSender: (a) => `tokens cannot be sent from ${a.address("sender")}`,
  ERC20InvalidSpender: (a) => `${a.address("spender")} cannot be approved as a spender`,

  // --- SecureMint, ReserveGuard (consumers' checks)
  InsufficientReserves: (a) =>
    `minting would bring the supply to ${a.wad("supplyAfterMintWad")}, above the reserves of ${a.wad("reservesWad")}`,
  StaleReserves: (a) =>
    `the reserves of ${a.subject("subjectId")} are not fresh (the latest attestation is older than its heartbeat, or its reserve asset was revoked), so minting is paused`,
  NotSubjectToken: (a) =>
    `${a.subject("subjectId")} does not name ${a.address("token")} as its token, so its reserves do not back this token`,
  Undercollateralized: (a) =>
    `the reserves cover a ratio of ${a.ratio("ratioWad")} of the supply, below the required ${a.ratio("minRatioWad")}`,
  ReservesTooOld: (a) =>
    `the reserve figures are ${a.duration("age")} old, older than the ${a.duration("maxAgeSeconds")} allowed`,
  ReservesNotFresh: (a) =>
    `the reserves of ${a.subject("subjectId")} are not fresh (an attested side is older than its heartbeat, or its reserve asset was revoked)`,
  SequencerDown: () =>
    "the L2 sequencer uptime feed reports the sequencer down, so reserves are not read until it is back up",
  GracePeriodNotOver: (a) =>
    `the L2 sequencer came back up ${a.duration("since")} ago, within its grace period of ${a.duration("grace")}; try again once the grace period is over`,
  SequencerStatusUnknown: () =>
    "the L2 sequencer uptime feed is not initialized (its latest round has startedAt 0), so the sequencer's status is unknown",

  ReservesDisputed: (a) =>
    `round ${a.uint("roundId")} of ${a.subject("subjectId")} is disputed (a customer's challenge of a round went unanswered), so its figures do not count until a round with a later snapshot is posted`,

  // --- ReserveRegistry and LiabilityChallenges: published proofs and challenges
  NotChallenges: (a) =>
    `only the registry's LiabilityChallenges contract records disputes (${a.address("caller")} is not it)`,
  NotRegistryAdmin: (a) => `only the registry admin can do this (${a.address("caller")} is not the admin)`,
  ProofsAlreadyPublished: (a) =>
    `the proofs of round ${a.uint("roundId")} of ${a.subject("subjectId")} are already published; a publication cannot change`,
  EmptyPublication: () => "a publication needs the manifest's hash and the URI it is served at",
  ChallengeWindowTooLong: (a) =>
    `a challenge window of ${a.duration("windowSeconds")} is longer than the ${a.duration("max")} allowed`,
  StatementAlreadyChallenged: (a) =>
    `this balance statement was already used by challenge ${a.uint("challengeId")}: one statement, one challenge`,
  ZeroBalanceStatement: () =>
    "a statement of a zero balance states nothing owed, so it cannot challenge a round",
  RoundHasNoLiabilitiesTree: (a) =>
    `round ${a.uint("roundId")} of ${a.subject("subjectId")} committed no liabilities tree, so no proof could answer a challenge of it`,
  ChallengesDisabled: (a) =>
    `round ${a.uint("roundId")} of ${a.subject("subjectId")} was posted while its challenge window was 0, so it cannot be challenged`,
  ChallengeWindowClosed: (a) =>
    `the challenge window of round ${a.uint("roundId")} of ${a.subject("subjectId")} closed at ${a.time("closedAt")}`,
  WrongBond: (a) => `a challenge takes a bond of exactly ${a.uint("required")} wei, not ${a.uint("sent")}`,
  ChallengeBondTooLarge: (a) =>
    `a bond of ${a.uint("bond")} wei is above the ${a.uint("max")} wei a challenge can hold`,
  InvalidStatementSignature: (a) =>
    `the balance statement is not signed (ECDSA) by the statement signer of ${a.subject("subjectId")} for round ${a.uint("roundId")} (a statement for another round or amount fails too)`,
  ChallengeNotFound: (a) => `there is no challenge ${a.uint("challengeId")}`,
  ChallengeNotOpen: (a) =>
    `challenge ${a.uint("challengeId")} is no longer open (${challengeStatus(a.uint("status"))})`,
  ChallengeDeadlinePassed: (a) =>
    `the deadline of challenge ${a.uint("challengeId")} passed at ${a.time("deadline")}; it can only be settled now`,
  ChallengeDeadlineNotReached: (a) =>
    `challenge ${a.uint("challengeId")} can be settled only after its deadline, ${a.time("deadline")}`,
  ProofDoesNotVerify: (a) =>
    `the proof does not show the challenged account with exactly the challenged balance in the round's liabilities, so it does not answer challenge ${a.uint("challengeId")}`,
  NothingToWithdraw: (a) => `no bonds are owed to ${a.address("account")}`,
  FailedCall: () => "sending the bonds failed: the receiving address refused the payment",
  InsufficientBalance: (a) =>
    `the contract holds ${a.uint("balance")} wei, less than the ${a.uint("needed")} wei to send`,
  CheckpointUnorderedInsertion: () =>
    "a setting change was dated before the last one recorded (block times only grow, so this should not happen)",

  // --- libraries
  DecimalScalingOverflow: (a) =>
    `the amount ${a.uint("amount")} with ${a.uint("fromDecimals")} decimals is too large to express with ${a.uint("toDecimals")} decimals`,
  MerkleSumOverflow: (a) =>
    `the proof's balances add up to more than 2^256 - 1 (running sum ${a.uint("runningSum")}, step ${a.uint("stepSum")}), so it is not a valid proof`,

  // --- Solidity's built-in errors
  Error: (a) => `reverted: ${a.text("message")}`,
  Panic: (a) => `the contract failed an internal check (${panicReason(a.uint("code"))})`,
};

/** ILiabilityChallenges.ChallengeStatus in words. */
function challengeStatus(status: bigint): string {
  return (
    ["unknown", "open", "answered", "settled: its round is disputed"][Number(status)] ?? `status ${status}`
  );
}

/**
 * A sentence for custom error `name` with `args` (by parameter name), in the user's terms; for an
 * error without one, "Name(arg, …)" so nothing is lost. Never throws.
 */
export function explainError(name: string, args: RevertArgs, context: SentenceContext = {}): string {
  const sentence = Object.hasOwn(SENTENCES, name) ? SENTENCES[name] : undefined;
  if (sentence !== undefined) {
    try {
      return sentence(new ArgReader(args), { contract: context.contract ?? "registry" });
    } catch {
      // arguments of an unexpected shape (another contract's error with the same name): fall through
    }
  }
  return `${name}(${Object.values(args).map(String).join(", ")})`;
}

/** Typed access to a decoded error's arguments, formatted for people. */
class ArgReader {
  constructor(private readonly args: RevertArgs) {}

  private get(name: string): unknown {
    if (!Object.hasOwn(this.args, name)) throw new Error(`no argument ${name}`);
    return this.args[name];
  }

  uint(name: string): bigint {
    const value = this.get(name);
    if (typeof value !== "bigint" && typeof value !== "number") throw new Error(`${name} is not a number`);
    return BigInt(value);
  }

  text(name: string): string {
    const value = this.get(name);
    if (typeof value !== "string") throw new Error(`${name} is not text`);
    return value;
  }

  hex(name: string): string {
    return this.text(name).toLowerCase();
  }

  address(name: string): string {
    return getAddress(this.text(name));
  }

  /** An address where zero means "none". */
  optionalAddress(name: string): string {
    const address = this.address(name);
    return address === ZeroAddress ? "none" : address;
  }

  /** "subject USDX" (or its hex id when it is not text). */
  subject(name: string): string {
    return `subject ${formatSubjectId(this.hex(name))}`;
  }

  time(name: string): string {
    return `${formatTimestamp(this.uint(name))} (${this.uint(name)})`;
  }

  duration(name: string): string {
    return formatDuration(this.uint(name));
  }

  /** An 18-decimal amount. */
  wad(name: string): string {
    return formatAmount(this.uint(name), 18, { grouping: true });
  }

  ratio(name: string): string {
    return formatRatio(this.uint(name));
  }

  role(name: string): string {
    const role = this.hex(name);
    return KNOWN_ROLES.get(role) ?? role;
  }
}

/** Role ids of our contracts, by hash. */
const KNOWN_ROLES = new Map(["MINTER_ROLE"].map((role) => [id(role), role]));

/** Solidity panic codes (docs.soliditylang.org, "Panic via assert and Error via require"). */
function panicReason(code: bigint): string {
  const reasons: Record<string, string> = {
    "1": "assertion failed",
    "17": "arithmetic overflow or underflow",
    "18": "division by zero",
    "33": "invalid enum value",
    "34": "corrupt storage byte array",
    "49": "pop from an empty array",
    "50": "array index out of bounds",
    "65": "out of memory",
    "81": "call to an uninitialized function",
  };
  return reasons[code.toString()] ?? `panic code 0x${code.toString(16)}`;
}
