// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProofStep} from "../libraries/MerkleSumProof.sol";
import {IReserveRegistry} from "./IReserveRegistry.sol";

/// @title ILiabilityChallenges
/// @notice The registry's companion for what customers do with a round's liabilities: the subject
/// owner commits each round's published proofs (every customer's path, served by any static host, so
/// fetching yours says nothing about who you are), and a customer holding a balance statement the
/// custodian signed can challenge a round that omits or shrinks it. A challenge nobody answers with
/// an inclusion proof before its deadline disputes the round: the registry then reports it not fresh.
/// One per registry, created by it (`IReserveRegistry.challenges()`); docs/protocol.md.
///
/// Balance statements are EIP-712 `BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256 balance,uint64 asOf)`
/// in the registry's domain (`IReserveRegistry.balanceStatementDigest`), `asOf` = the round's.
interface ILiabilityChallenges {
    /// @notice Where a challenge stands. Open until answered (an inclusion proof arrived before the
    /// deadline) or settled (nobody answered in time: the round is disputed).
    enum ChallengeStatus {
        None,
        Open,
        Answered,
        Settled
    }

    /// @notice A customer's challenge of one round.
    /// @param subjectId The subject challenged.
    /// @param roundId Its round whose liabilities omit or shrink the customer's balance.
    /// @param deadline Last second an answer is accepted (opening time + the round's window).
    /// @param status Open, Answered or Settled.
    /// @param challenger Who opened it and gets the bond back if it is settled.
    /// @param bond The bond paid, in native currency (at most 2^96 - 1 wei, MAX_CHALLENGE_BOND).
    /// @param accountCommitment The customer's account commitment (docs/liabilities-tree.md).
    /// @param balance The balance the statement signs, which an answer must prove exactly.
    struct Challenge {
        bytes32 subjectId;
        uint80 roundId;
        uint64 deadline;
        ChallengeStatus status;
        address challenger;
        uint96 bond;
        bytes32 accountCommitment;
        uint256 balance;
    }

    /// @notice A subject's latest round in one read: both sides as `collateralization()` returns them
    /// (18 decimals), who signed it, whether its proofs are published and whether it is challenged.
    /// @param roundId The latest round, 0 before the first.
    /// @param asOf Its snapshot time.
    /// @param reserves Reserves in 18 decimals (live when the subject has reserve wallets).
    /// @param liabilities Liabilities or token supply in 18 decimals, as `collateralization()`'s supply.
    /// @param ratioWad reserves / liabilities, 1e18 = fully backed (uint256 max with nothing owed).
    /// @param fresh As `collateralization().fresh`: false when stale, revoked or disputed.
    /// @param disputed Whether the latest round counts as disputed: its snapshot is not after the
    /// subject's last settled dispute (of it or of an earlier round).
    /// @param signerCount How many auditors signed the latest round.
    /// @param signers Bit i set = the subject's `auditors[i]` (at posting time) signed it.
    /// @param proofsPublished Whether the owner committed the round's published proofs.
    /// @param openChallenges Challenges of the latest round neither answered nor settled.
    /// @param challengeWindow The latest round's challenge window (the one in force at its posting;
    /// 0: it cannot be challenged).
    struct Solvency {
        uint80 roundId;
        uint64 asOf;
        uint256 reserves;
        uint256 liabilities;
        uint256 ratioWad;
        bool fresh;
        bool disputed;
        uint8 signerCount;
        uint32 signers;
        bool proofsPublished;
        uint32 openChallenges;
        uint32 challengeWindow;
    }

    // ----------------------------------------------------------------------------------- events

    /// @notice The subject owner committed round `roundId`'s publication: `manifestHash` is the
    /// keccak256 of the manifest file at `uri` (docs/liabilities-tree.md, "Publication").
    event ProofsPublished(
        bytes32 indexed subjectId,
        uint80 indexed roundId,
        bytes32 manifestHash,
        string uri
    );

    /// @notice The subject's statement signer is `signer` for rounds posted from `effectiveFrom` on.
    event StatementSignerSet(bytes32 indexed subjectId, address indexed signer, uint64 effectiveFrom);

    /// @notice The subject's challenge window is `windowSeconds` (0: no challenges) for rounds posted from
    /// `effectiveFrom` on.
    event ChallengeWindowSet(bytes32 indexed subjectId, uint32 windowSeconds, uint64 effectiveFrom);

    /// @notice The registry admin set the bond a challenge takes.
    event ChallengeBondSet(uint256 bond);

    /// @notice A customer challenged round `roundId`; an answer is due by `deadline`.
    event ChallengeOpened(
        uint256 indexed challengeId,
        bytes32 indexed subjectId,
        uint80 indexed roundId,
        bytes32 accountCommitment,
        uint256 balance,
        uint64 deadline
    );

    /// @notice `answerer` proved the challenged balance is in the round; the bond goes to the subject owner.
    event ChallengeAnswered(uint256 indexed challengeId, address indexed answerer, address indexed bondTo);

    /// @notice Nobody answered in time: the round is disputed and the bond returns to the challenger.
    event ChallengeSettled(uint256 indexed challengeId, bytes32 indexed subjectId, uint80 indexed roundId);

    /// @notice `account` withdrew `amount` of bonds owed to it.
    event BondWithdrawn(address indexed account, uint256 amount);

    // ----------------------------------------------------------------------------------- errors

    /// @notice Only the registry admin may do this.
    error NotRegistryAdmin(address caller);

    /// @notice Only the subject's owner may do this.
    error NotSubjectOwner(bytes32 subjectId, address account);

    /// @notice The subject has no round `roundId` (0 or after its latest).
    error RoundNotFound(bytes32 subjectId, uint80 roundId);

    /// @notice Round `roundId`'s publication is already committed; it cannot change.
    error ProofsAlreadyPublished(bytes32 subjectId, uint80 roundId);

    /// @notice A publication needs a manifest hash and a URI.
    error EmptyPublication();

    /// @notice Challenge windows are at most `max` seconds.
    error ChallengeWindowTooLong(uint32 windowSeconds, uint32 max);

    /// @notice This statement was already used by challenge `challengeId`: one statement, one challenge.
    error StatementAlreadyChallenged(uint256 challengeId);

    /// @notice A statement of a zero balance states nothing owed: it cannot dispute a round.
    error ZeroBalanceStatement();

    /// @notice The round was posted while the subject's challenge window was 0.
    error ChallengesDisabled(bytes32 subjectId, uint80 roundId);

    /// @notice The round committed no liabilities tree (`liabilitiesRoot` 0): no proof could ever
    /// answer a challenge of it, so none can be opened.
    error RoundHasNoLiabilitiesTree(bytes32 subjectId, uint80 roundId);

    /// @notice The round's challenge window closed at `closedAt`.
    error ChallengeWindowClosed(bytes32 subjectId, uint80 roundId, uint64 closedAt);

    /// @notice A challenge takes exactly `required` (the bond), not `sent`.
    error WrongBond(uint256 sent, uint256 required);

    /// @notice The bond is above MAX_CHALLENGE_BOND.
    error ChallengeBondTooLarge(uint256 bond, uint256 max);

    /// @notice The statement is not signed (ECDSA) by the subject's statement signer for this round.
    error InvalidStatementSignature(bytes32 subjectId, uint80 roundId);

    /// @notice No challenge `challengeId`.
    error ChallengeNotFound(uint256 challengeId);

    /// @notice The challenge is no longer open: it was answered or settled.
    error ChallengeNotOpen(uint256 challengeId, ChallengeStatus status);

    /// @notice The answer came after the deadline.
    error ChallengeDeadlinePassed(uint256 challengeId, uint64 deadline);

    /// @notice The challenge can be settled only after its deadline.
    error ChallengeDeadlineNotReached(uint256 challengeId, uint64 deadline);

    /// @notice The proof does not show the challenged commitment with exactly the challenged balance
    /// in the round's liabilities root and total.
    error ProofDoesNotVerify(uint256 challengeId);

    /// @notice There is nothing to withdraw for the caller.
    error NothingToWithdraw(address account);

    // ---------------------------------------------------------------------------- publications

    /// @notice The registry this contract serves.
    function registry() external view returns (IReserveRegistry);

    /// @notice Commits round `roundId`'s published proofs, once. Subject owner only. Refused for a round
    /// without a liabilities tree (RoundHasNoLiabilitiesTree): its proofs would verify against nothing.
    function publishProofs(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 manifestHash,
        string calldata uri
    ) external;

    /// @notice Round `roundId`'s publication, zero and "" when none was committed.
    function publication(
        bytes32 subjectId,
        uint80 roundId
    ) external view returns (bytes32 manifestHash, string memory uri);

    // ---------------------------------------------------------------------- challenge settings

    /// @notice Names the key (an EOA: statements are plain ECDSA signatures, so a contract signer
    /// could not revoke ones it gave) that signs customers' balance statements (zero: none), for rounds
    /// posted from the next second on. Statements by the signer in force when a round was posted stay
    /// valid for it, so rotating the key cannot void a customer's statement. Subject owner only.
    function setStatementSigner(bytes32 subjectId, address signer) external;

    /// @notice The current statement signer.
    function statementSigner(bytes32 subjectId) external view returns (address);

    /// @notice Sets the challenge window (at most MAX_CHALLENGE_WINDOW; 0 disables challenges) for
    /// rounds posted from the next second on: shortening it cannot close an already posted round's
    /// window. Subject owner only.
    function setChallengeWindow(bytes32 subjectId, uint32 windowSeconds) external;

    /// @notice The current challenge window in seconds.
    function challengeWindow(bytes32 subjectId) external view returns (uint32);

    /// @notice The challenge window of round `roundId`: the one in force when it was posted, or 0 for
    /// a round without a liabilities tree (it cannot be challenged).
    function roundChallengeWindow(bytes32 subjectId, uint80 roundId) external view returns (uint32);

    /// @notice The statement signer of round `roundId`: the one in force when it was posted (zero:
    /// none). Statements by it, or by the current `statementSigner`, can challenge the round.
    function roundStatementSigner(bytes32 subjectId, uint80 roundId) external view returns (address);

    /// @notice Sets the bond every challenge takes. Registry admin only.
    function setChallengeBond(uint256 bond) external;

    /// @notice The bond a challenge of `subjectId` takes, in native currency.
    function challengeBond(bytes32 subjectId) external view returns (uint256);

    // ------------------------------------------------------------------------------ challenges

    /// @notice Challenges round `roundId` with a statement of `balance` for `accountCommitment` at the
    /// round's `asOf`, signed by the subject's statement signer. Takes exactly the bond. Only rounds
    /// that commit a liabilities tree can be challenged (RoundHasNoLiabilitiesTree).
    function challenge(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 accountCommitment,
        uint256 balance,
        bytes calldata statementSignature
    ) external payable returns (uint256 challengeId);

    /// @notice Answers an open challenge before its deadline with the inclusion proof of its
    /// commitment and balance in the round. Anyone may answer; the bond goes to the subject owner.
    function answerChallenge(uint256 challengeId, ProofStep[] calldata proof) external;

    /// @notice Settles an open challenge after its deadline: the round becomes disputed and the bond
    /// returns to the challenger. Anyone may settle.
    function settleChallenge(uint256 challengeId) external;

    /// @notice Challenge `challengeId`.
    function getChallenge(uint256 challengeId) external view returns (Challenge memory);

    /// @notice How many challenges were opened (ids run from 1).
    function challengeCount() external view returns (uint256);

    /// @notice Challenges of the round neither answered nor settled.
    function openChallenges(bytes32 subjectId, uint80 roundId) external view returns (uint32);

    /// @notice Bonds owed to `account` (answered bonds to owners, settled ones to challengers).
    function withdrawable(address account) external view returns (uint256);

    /// @notice Sends the caller the bonds owed to it.
    function withdraw() external;

    // -------------------------------------------------------------------------------- solvency

    /// @notice The subject's latest round in one read.
    function solvency(bytes32 subjectId) external view returns (Solvency memory);
}
