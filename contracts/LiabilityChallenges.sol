// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {Checkpoints} from "@openzeppelin/contracts/utils/structs/Checkpoints.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {ILiabilityChallenges} from "./interfaces/ILiabilityChallenges.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {ProofStep} from "./libraries/MerkleSumProof.sol";

/// @title LiabilityChallenges
/// @notice The registry's companion for customers: published proofs, balance-statement challenges
/// and `solvency()`. Created by the ReserveRegistry's constructor (`registry.challenges()`); see
/// ILiabilityChallenges and docs/protocol.md.
/// @dev Settings the subject owner controls (statement signer, challenge window) are checkpointed by
/// time and take effect from the next second: a round is judged by the settings in force when it was
/// posted, so no owner call after the posting (or batched before it in the same block) can close a
/// round's window or void the statements customers already hold.
contract LiabilityChallenges is ILiabilityChallenges {
    using Checkpoints for Checkpoints.Trace160;
    using Checkpoints for Checkpoints.Trace208;

    /// @notice Longest challenge window a subject may set.
    uint32 public constant MAX_CHALLENGE_WINDOW = 30 days;

    /// @notice Largest bond the admin may set (the bond shares a slot with the challenger).
    uint256 public constant MAX_CHALLENGE_BOND = type(uint96).max;

    /// @dev The registry's DEFAULT_ADMIN_ROLE (OpenZeppelin AccessControl).
    bytes32 private constant _REGISTRY_ADMIN_ROLE = 0x00;

    struct Publication {
        bytes32 manifestHash;
        string uri;
    }

    /// @inheritdoc ILiabilityChallenges
    IReserveRegistry public immutable registry;

    uint256 private _bond;
    uint256 private _challengeCount;
    mapping(uint256 challengeId => Challenge) private _challenges;
    mapping(bytes32 subjectId => mapping(uint80 roundId => uint32)) private _openChallenges;
    mapping(bytes32 subjectId => mapping(uint80 roundId => Publication)) private _publications;
    mapping(bytes32 subjectId => Checkpoints.Trace160) private _statementSigners;
    mapping(bytes32 subjectId => Checkpoints.Trace208) private _challengeWindows;
    mapping(address account => uint256) private _withdrawable;
    // Statement digest => the challenge that used it: a statement in public calldata cannot be
    // replayed into more challenges than the one its holder opened.
    mapping(bytes32 statementDigest => uint256 challengeId) private _statementChallenges;

    modifier onlySubjectOwner(bytes32 subjectId) {
        if (msg.sender != registry.subjectOwner(subjectId)) revert NotSubjectOwner(subjectId, msg.sender);
        _;
    }

    /// @dev Called by the registry's constructor: the registry has no code yet, so nothing here may
    /// call it.
    constructor(IReserveRegistry registry_) {
        registry = registry_;
    }

    // ---------------------------------------------------------------------------- publications

    /// @inheritdoc ILiabilityChallenges
    function publishProofs(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 manifestHash,
        string calldata uri
    ) external onlySubjectOwner(subjectId) {
        _requireRound(subjectId, roundId);
        if (manifestHash == bytes32(0) || bytes(uri).length == 0) revert EmptyPublication();
        // Proofs of a round without a tree verify against nothing: "published" would only mislead.
        (IReserveRegistry.Attestation memory att, ) = registry.getAttestation(subjectId, roundId);
        if (att.liabilitiesRoot == bytes32(0)) revert RoundHasNoLiabilitiesTree(subjectId, roundId);
        Publication storage p = _publications[subjectId][roundId];
        if (p.manifestHash != bytes32(0)) revert ProofsAlreadyPublished(subjectId, roundId);
        p.manifestHash = manifestHash;
        p.uri = uri;
        emit ProofsPublished(subjectId, roundId, manifestHash, uri);
    }

    /// @inheritdoc ILiabilityChallenges
    function publication(
        bytes32 subjectId,
        uint80 roundId
    ) external view returns (bytes32 manifestHash, string memory uri) {
        Publication storage p = _publications[subjectId][roundId];
        return (p.manifestHash, p.uri);
    }

    // ---------------------------------------------------------------------- challenge settings

    /// @inheritdoc ILiabilityChallenges
    function setStatementSigner(bytes32 subjectId, address signer) external onlySubjectOwner(subjectId) {
        uint64 effectiveFrom = _nextSecond();
        _statementSigners[subjectId].push(effectiveFrom, uint160(signer));
        emit StatementSignerSet(subjectId, signer, effectiveFrom);
    }

    /// @inheritdoc ILiabilityChallenges
    function statementSigner(bytes32 subjectId) external view returns (address) {
        return address(_statementSigners[subjectId].latest());
    }

    /// @inheritdoc ILiabilityChallenges
    function setChallengeWindow(
        bytes32 subjectId,
        uint32 windowSeconds
    ) external onlySubjectOwner(subjectId) {
        if (windowSeconds > MAX_CHALLENGE_WINDOW)
            revert ChallengeWindowTooLong(windowSeconds, MAX_CHALLENGE_WINDOW);
        uint64 effectiveFrom = _nextSecond();
        _challengeWindows[subjectId].push(uint48(effectiveFrom), windowSeconds);
        emit ChallengeWindowSet(subjectId, windowSeconds, effectiveFrom);
    }

    /// @inheritdoc ILiabilityChallenges
    function challengeWindow(bytes32 subjectId) external view returns (uint32) {
        return uint32(_challengeWindows[subjectId].latest());
    }

    /// @inheritdoc ILiabilityChallenges
    function roundChallengeWindow(bytes32 subjectId, uint80 roundId) external view returns (uint32) {
        (IReserveRegistry.Attestation memory att, uint64 postedAt) = registry.getAttestation(
            subjectId,
            roundId
        );
        return _roundWindow(subjectId, att, postedAt);
    }

    /// @inheritdoc ILiabilityChallenges
    function roundStatementSigner(bytes32 subjectId, uint80 roundId) external view returns (address) {
        (, uint64 postedAt) = registry.getAttestation(subjectId, roundId);
        return address(_statementSigners[subjectId].upperLookup(postedAt));
    }

    /// @inheritdoc ILiabilityChallenges
    function setChallengeBond(uint256 bond) external {
        if (!IAccessControl(address(registry)).hasRole(_REGISTRY_ADMIN_ROLE, msg.sender))
            revert NotRegistryAdmin(msg.sender);
        if (bond > MAX_CHALLENGE_BOND) revert ChallengeBondTooLarge(bond, MAX_CHALLENGE_BOND);
        _bond = bond;
        emit ChallengeBondSet(bond);
    }

    /// @inheritdoc ILiabilityChallenges
    function challengeBond(bytes32) external view returns (uint256) {
        return _bond;
    }

    // ------------------------------------------------------------------------------ challenges

    /// @inheritdoc ILiabilityChallenges
    function challenge(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 accountCommitment,
        uint256 balance,
        bytes calldata statementSignature
    ) external payable returns (uint256 challengeId) {
        _requireRound(subjectId, roundId);
        (IReserveRegistry.Attestation memory att, uint64 postedAt) = registry.getAttestation(
            subjectId,
            roundId
        );
        // verifyLiability is false for every proof of a round without a tree: nothing could answer.
        if (att.liabilitiesRoot == bytes32(0)) revert RoundHasNoLiabilitiesTree(subjectId, roundId);
        uint32 window = _windowAt(subjectId, postedAt);
        if (window == 0) revert ChallengesDisabled(subjectId, roundId);
        uint64 closesAt = postedAt + window;
        if (block.timestamp > closesAt) revert ChallengeWindowClosed(subjectId, roundId, closesAt);
        if (msg.value != _bond) revert WrongBond(msg.value, _bond);
        if (balance == 0) revert ZeroBalanceStatement();
        // The statement describes the round's snapshot: a statement for another round has another asOf.
        bytes32 digest = registry.balanceStatementDigest(subjectId, accountCommitment, balance, att.asOf);
        if (!_isStatementSigned(subjectId, postedAt, digest, statementSignature))
            revert InvalidStatementSignature(subjectId, roundId);
        uint256 previous = _statementChallenges[digest];
        if (previous != 0) revert StatementAlreadyChallenged(previous);

        challengeId = ++_challengeCount;
        _statementChallenges[digest] = challengeId;
        uint64 deadline = uint64(block.timestamp) + window;
        _challenges[challengeId] = Challenge({
            subjectId: subjectId,
            roundId: roundId,
            deadline: deadline,
            status: ChallengeStatus.Open,
            challenger: msg.sender,
            bond: uint96(msg.value), // msg.value == _bond <= MAX_CHALLENGE_BOND
            accountCommitment: accountCommitment,
            balance: balance
        });
        ++_openChallenges[subjectId][roundId];
        emit ChallengeOpened(challengeId, subjectId, roundId, accountCommitment, balance, deadline);
    }

    /// @inheritdoc ILiabilityChallenges
    function answerChallenge(uint256 challengeId, ProofStep[] calldata proof) external {
        Challenge storage c = _openChallenge(challengeId);
        if (block.timestamp > c.deadline) revert ChallengeDeadlinePassed(challengeId, c.deadline);
        // verifyLiability: this commitment with exactly this balance, to the round's root and total.
        if (!registry.verifyLiability(c.subjectId, c.roundId, c.accountCommitment, c.balance, proof))
            revert ProofDoesNotVerify(challengeId);
        c.status = ChallengeStatus.Answered;
        --_openChallenges[c.subjectId][c.roundId];
        // The bond pays the honest subject for answering; its owner now, who bears the cost.
        address owner = registry.subjectOwner(c.subjectId);
        _withdrawable[owner] += c.bond;
        emit ChallengeAnswered(challengeId, msg.sender, owner);
    }

    /// @inheritdoc ILiabilityChallenges
    function settleChallenge(uint256 challengeId) external {
        Challenge storage c = _openChallenge(challengeId);
        if (block.timestamp <= c.deadline) revert ChallengeDeadlineNotReached(challengeId, c.deadline);
        c.status = ChallengeStatus.Settled;
        --_openChallenges[c.subjectId][c.roundId];
        _withdrawable[c.challenger] += c.bond;
        registry.recordDispute(c.subjectId, c.roundId);
        emit ChallengeSettled(challengeId, c.subjectId, c.roundId);
    }

    /// @inheritdoc ILiabilityChallenges
    function getChallenge(uint256 challengeId) external view returns (Challenge memory) {
        if (_challenges[challengeId].status == ChallengeStatus.None) revert ChallengeNotFound(challengeId);
        return _challenges[challengeId];
    }

    /// @inheritdoc ILiabilityChallenges
    function challengeCount() external view returns (uint256) {
        return _challengeCount;
    }

    /// @inheritdoc ILiabilityChallenges
    function openChallenges(bytes32 subjectId, uint80 roundId) external view returns (uint32) {
        return _openChallenges[subjectId][roundId];
    }

    /// @inheritdoc ILiabilityChallenges
    function withdrawable(address account) external view returns (uint256) {
        return _withdrawable[account];
    }

    /// @inheritdoc ILiabilityChallenges
    function withdraw() external {
        uint256 amount = _withdrawable[msg.sender];
        if (amount == 0) revert NothingToWithdraw(msg.sender);
        _withdrawable[msg.sender] = 0;
        emit BondWithdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    // -------------------------------------------------------------------------------- solvency

    /// @inheritdoc ILiabilityChallenges
    function solvency(bytes32 subjectId) external view returns (Solvency memory s) {
        s.roundId = registry.latestRoundId(subjectId);
        (s.reserves, s.liabilities, s.ratioWad, s.fresh) = registry.collateralization(subjectId);
        if (s.roundId == 0) return s;
        (IReserveRegistry.Attestation memory att, uint64 postedAt) = registry.getAttestation(
            subjectId,
            s.roundId
        );
        s.asOf = att.asOf;
        // As the registry dates it: 0 for a subject whose latest snapshot predates its last dispute.
        (uint80 readingId, uint64 readingAt) = registry.collateralizationRound(subjectId);
        s.disputed = readingId != 0 && readingAt == 0;
        s.challengeWindow = _roundWindow(subjectId, att, postedAt);
        s.signers = registry.roundSigners(subjectId, s.roundId);
        s.signerCount = _popCount(s.signers);
        s.proofsPublished = _publications[subjectId][s.roundId].manifestHash != bytes32(0);
        s.openChallenges = _openChallenges[subjectId][s.roundId];
    }

    // -------------------------------------------------------------------------------- private

    function _requireRound(bytes32 subjectId, uint80 roundId) private view {
        if (roundId == 0 || roundId > registry.latestRoundId(subjectId))
            revert RoundNotFound(subjectId, roundId);
    }

    function _openChallenge(uint256 challengeId) private view returns (Challenge storage c) {
        c = _challenges[challengeId];
        if (c.status == ChallengeStatus.None) revert ChallengeNotFound(challengeId);
        if (c.status != ChallengeStatus.Open) revert ChallengeNotOpen(challengeId, c.status);
    }

    /// @dev The window in force when a round posted at `postedAt` was posted.
    function _windowAt(bytes32 subjectId, uint64 postedAt) private view returns (uint32) {
        return uint32(_challengeWindows[subjectId].upperLookup(uint48(postedAt)));
    }

    /// @dev The window a round can be challenged in: 0 for a round without a liabilities tree, which
    /// no challenge can be opened against (RoundHasNoLiabilitiesTree), so consumers never read it as open.
    function _roundWindow(
        bytes32 subjectId,
        IReserveRegistry.Attestation memory att,
        uint64 postedAt
    ) private view returns (uint32) {
        return att.liabilitiesRoot == bytes32(0) ? 0 : _windowAt(subjectId, postedAt);
    }

    /// @dev Signed by the statement signer in force when the round was posted, or by the current one
    /// (a customer may ask for the statement after a key rotation). ECDSA only (low s, OpenZeppelin):
    /// an ERC-1271 signer could void statements it gave by changing its owners after the posting.
    function _isStatementSigned(
        bytes32 subjectId,
        uint64 postedAt,
        bytes32 digest,
        bytes calldata signature
    ) private view returns (bool) {
        Checkpoints.Trace160 storage signers = _statementSigners[subjectId];
        (address recovered, ECDSA.RecoverError error, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (error != ECDSA.RecoverError.NoError) return false; // recovered is then zero, never a signer
        return recovered == address(signers.upperLookup(postedAt)) || recovered == address(signers.latest());
    }

    function _nextSecond() private view returns (uint64) {
        return uint64(block.timestamp) + 1;
    }

    function _popCount(uint32 bits) private pure returns (uint8 count) {
        for (; bits != 0; bits &= bits - 1) ++count;
    }
}
