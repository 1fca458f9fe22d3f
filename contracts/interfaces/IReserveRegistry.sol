// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ProofStep} from "../libraries/MerkleSumProof.sol";

/// @title IReserveRegistry
/// @notice On-chain Proof-of-Reserves registry. Accredited auditors sign EIP-712 attestations of a
/// subject's reserves and liabilities at a snapshot time; anyone relays them once a subject's
/// quorum of its listed auditors has signed. Consumers read rounds here or through ReserveFeed.
///
/// EIP-712 domain: name "ReserveRegistry", version "1", chainId, verifyingContract = this registry.
/// Signed types: `Attestation(bytes32 subjectId,uint64 asOf,uint256 reserves,uint256 liabilities,bytes32 liabilitiesRoot,bytes32 reportHash)`
/// by auditors, `ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)` by reserve wallets,
/// `BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256 balance,uint64 asOf)` by a
/// subject's statement signer (checked by the registry's LiabilityChallenges, `challenges()`).
interface IReserveRegistry {
    /// @notice How one subject (one issuer's one reserve asset) is attested.
    /// @param name Human-readable name, e.g. "USDX / USD reserves".
    /// @param decimals Decimals of `reserves` and `liabilities` in attestations; the token's own when a
    /// token is named, so that the reserves and the supply are in the same units.
    /// @param token Token whose total supply is the liability, or zero if none is on this chain.
    /// @param reserveAsset ERC20 on this chain that holds the reserves, or zero if they are off-chain;
    /// one the admin approved (approveReserveAsset).
    /// @param heartbeat Maximum age in seconds of an attestation's `asOf` for it to count as fresh.
    /// @param quorum How many of `auditors` must sign each attestation.
    /// @param auditors The accredited auditors allowed to sign for this subject, distinct.
    struct SubjectConfig {
        string name;
        uint8 decimals;
        address token;
        address reserveAsset;
        uint32 heartbeat;
        uint8 quorum;
        address[] auditors;
    }

    /// @notice What auditors sign: a subject's reserves and liabilities at snapshot time `asOf`.
    /// @param subjectId The subject attested.
    /// @param asOf Snapshot time (unix seconds); strictly increasing per subject.
    /// @param reserves Reserves in the subject's decimals, at most MAX_AMOUNT.
    /// @param liabilities Liabilities in the subject's decimals (the liabilities tree total when one is
    /// published), at most MAX_AMOUNT.
    /// @param liabilitiesRoot Merkle-sum root of customer balances (docs/liabilities-tree.md), zero if none.
    /// @param reportHash Hash of the auditor's full report document.
    struct Attestation {
        bytes32 subjectId;
        uint64 asOf;
        uint256 reserves;
        uint256 liabilities;
        bytes32 liabilitiesRoot;
        bytes32 reportHash;
    }

    // ----------------------------------------------------------------------------------- events

    /// @notice `auditor` was accredited under `name`.
    event AuditorAccredited(address indexed auditor, string name);

    /// @notice `auditor` lost its accreditation; its signatures no longer count.
    event AuditorRevoked(address indexed auditor);

    /// @notice The admin approved `asset` as a reserve asset: subjects may name it, and wallet
    /// balances of it count as live reserves.
    event ReserveAssetApproved(address indexed asset);

    /// @notice The admin revoked `asset`: wallet balances of it no longer count as reserves.
    event ReserveAssetRevoked(address indexed asset);

    /// @notice A subject was registered; `owner` (the caller) may update it.
    event SubjectRegistered(bytes32 indexed subjectId, address indexed owner);

    /// @notice A subject's configuration was set, at registration or by an update.
    event SubjectConfigSet(bytes32 indexed subjectId, SubjectConfig config);

    /// @notice The subject's owner offered ownership to `newOwner` (zero cancels an offer).
    event SubjectOwnershipTransferStarted(
        bytes32 indexed subjectId,
        address indexed previousOwner,
        address indexed newOwner
    );

    /// @notice `newOwner` accepted ownership of the subject.
    event SubjectOwnershipTransferred(
        bytes32 indexed subjectId,
        address indexed previousOwner,
        address indexed newOwner
    );

    /// @notice Round `roundId` of `subjectId` was posted with the signatures of `signers`.
    event AttestationPosted(
        bytes32 indexed subjectId,
        uint80 indexed roundId,
        uint64 asOf,
        uint256 reserves,
        uint256 liabilities,
        bytes32 liabilitiesRoot,
        bytes32 reportHash,
        address[] signers
    );

    /// @notice `wallet` proved control and now backs `subjectId`'s live reserves.
    event ReserveWalletAdded(bytes32 indexed subjectId, address indexed wallet);

    /// @notice `wallet` no longer backs `subjectId`.
    event ReserveWalletRemoved(bytes32 indexed subjectId, address indexed wallet);

    /// @notice A customer's challenge of round `roundId` went unanswered: the round is disputed, and
    /// while it is the latest the subject is not fresh.
    event RoundDisputed(bytes32 indexed subjectId, uint80 indexed roundId);

    // ----------------------------------------------------------------------------------- errors

    /// @notice The zero address cannot be an auditor.
    error InvalidAuditorAddress();

    /// @notice An auditor needs a non-empty name.
    error EmptyAuditorName();

    /// @notice `auditor` is already accredited.
    error AuditorAlreadyAccredited(address auditor);

    /// @notice `auditor` is not (or no longer) accredited.
    error AuditorNotAccredited(address auditor);

    /// @notice The zero subject id is reserved.
    error InvalidSubjectId();

    /// @notice `subjectId` is already registered.
    error SubjectAlreadyRegistered(bytes32 subjectId);

    /// @notice `subjectId` is not registered.
    error UnknownSubject(bytes32 subjectId);

    /// @notice `account` is not the owner of `subjectId`.
    error NotSubjectOwner(bytes32 subjectId, address account);

    /// @notice `account` is not the pending owner of `subjectId`.
    error NotPendingSubjectOwner(bytes32 subjectId, address account);

    /// @notice A subject needs a non-empty name.
    error EmptySubjectName();

    /// @notice `decimals` (of the subject, its token or its reserve asset) is above MAX_DECIMALS.
    error InvalidDecimals(uint8 decimals, uint8 maxDecimals);

    /// @notice A subject's decimals never change: auditors sign amounts, not their unit, so changing
    /// `currentDecimals` to `decimals` would rescale signed figures (posted or still being signed)
    /// without any auditor. Register a new subject instead.
    error DecimalsFrozen(bytes32 subjectId, uint8 currentDecimals, uint8 decimals);

    /// @notice The token whose supply is the liability cannot change from `currentToken` to `token`
    /// (zero included) once a round or a reserve wallet has backed the subject: swapping it (e.g. for
    /// an empty token) would change every ratio without an auditor. Register a new subject instead.
    error TokenFrozen(bytes32 subjectId, address currentToken, address token);

    /// @notice The reserve asset cannot change from `current` to `requested` (zero included) once a
    /// round or a reserve wallet has backed the subject: swapping it for a token the owner mints would
    /// turn its wallets' balances into fiction. Register a new subject instead.
    error ReserveAssetFrozen(bytes32 subjectId, address current, address requested);

    /// @notice `asset` is not (or no longer) an approved reserve asset.
    error ReserveAssetNotApproved(address asset);

    /// @notice `asset` is already an approved reserve asset.
    error ReserveAssetAlreadyApproved(address asset);

    /// @notice A subject that names a token must use its decimals: consumers (Aave's Proof-of-Reserve,
    /// secure mint) compare the token's raw `totalSupply()` with the reserves in the subject's units.
    /// Checked when the token is named (at registration or by the update that sets it).
    error DecimalsMismatch(uint8 subjectDecimals, uint8 tokenDecimals);

    /// @notice An attested amount is above `maxAmount` (MAX_AMOUNT): it could not be normalized to
    /// 18 decimals or answered by a feed.
    error AmountTooLarge(uint256 amount, uint256 maxAmount);

    /// @notice The live balances of `subjectId`'s reserve wallets sum to more than 2^256 - 1.
    error LiveReservesOverflow(bytes32 subjectId);

    /// @notice `heartbeat` is zero (every attestation stale at once) or above `maxHeartbeat` (an
    /// issuer could keep old figures "fresh" indefinitely).
    error InvalidHeartbeat(uint32 heartbeat, uint32 maxHeartbeat);

    /// @notice `account` (a token or reserve asset) has no code.
    error NotAContract(address account);

    /// @notice `account` (a token or reserve asset) does not answer ERC20 `decimals()`.
    error NotAToken(address account);

    /// @notice More auditors listed than MAX_AUDITORS_PER_SUBJECT.
    error TooManyAuditors(uint256 count, uint256 maxCount);

    /// @notice `quorum` is zero or above the `auditorCount` listed.
    error InvalidQuorum(uint8 quorum, uint256 auditorCount);

    /// @notice `auditor` is listed twice in a subject config.
    error DuplicateAuditor(address auditor);

    /// @notice `signers` and `signatures` differ in length.
    error SignatureCountMismatch(uint256 signerCount, uint256 signatureCount);

    /// @notice Fewer than `quorum` signers were given.
    error QuorumNotMet(uint256 signerCount, uint8 quorum);

    /// @notice `signers[index]` is not strictly greater than the signer before it.
    error SignersNotAscending(uint256 index, address signer);

    /// @notice `signer` is not one of `subjectId`'s listed auditors.
    error SignerNotSubjectAuditor(bytes32 subjectId, address signer);

    /// @notice `signer`'s signature does not verify for the attestation digest.
    error InvalidSignature(address signer);

    /// @notice `asOf` is not after the subject's latest snapshot time `latestAsOf` (replay or reorder).
    error StaleAttestation(uint64 asOf, uint64 latestAsOf);

    /// @notice `asOf` is later than the current block time `blockTimestamp`.
    error FutureAttestation(uint64 asOf, uint256 blockTimestamp);

    /// @notice Round `roundId` of `subjectId` does not exist.
    error RoundNotFound(bytes32 subjectId, uint80 roundId);

    /// @notice `subjectId` has no on-chain `reserveAsset`, so it cannot have reserve wallets.
    error NoReserveAsset(bytes32 subjectId);

    /// @notice `wallet` already backs `subjectId`.
    error ReserveWalletAlreadyAdded(bytes32 subjectId, address wallet);

    /// @notice `wallet` already backs `otherSubjectId` with the same reserve asset; one balance
    /// cannot be counted twice.
    error ReserveWalletInUse(address wallet, bytes32 otherSubjectId);

    /// @notice `wallet` does not back `subjectId`.
    error ReserveWalletNotFound(bytes32 subjectId, address wallet);

    /// @notice Removing `wallet` would take away reserves that back `subjectId`'s outstanding
    /// liabilities: the reserves left, `reservesAfter`, would be below `outstandingLiabilities`
    /// (both in the subject's decimals). Move the funds to another of the subject's wallets, burn
    /// the tokens or post a round that attests less first.
    error ReserveWalletBacksLiabilities(
        bytes32 subjectId,
        address wallet,
        uint256 reservesAfter,
        uint256 outstandingLiabilities
    );

    /// @notice `wallet`'s signature over ReserveAddress(subjectId, wallet, reserveAsset) does not verify.
    error InvalidReserveWalletSignature(address wallet);

    /// @notice `subjectId` already has MAX_RESERVE_WALLETS wallets.
    error TooManyReserveWallets(bytes32 subjectId, uint256 maxCount);

    /// @notice Only the registry's LiabilityChallenges (`challenges()`) records disputes.
    error NotChallenges(address caller);

    // ------------------------------------------------------------------------------- auditors

    /// @notice Accredits `auditor` under `name`. Admin only.
    function accreditAuditor(address auditor, string calldata name) external;

    /// @notice Revokes `auditor`; its signatures stop counting for every subject at once. Admin only.
    function revokeAuditor(address auditor) external;

    /// @notice Whether `auditor` is currently accredited.
    function isAccredited(address auditor) external view returns (bool);

    /// @notice The name `auditor` was accredited under (kept after revocation for the record).
    function auditorName(address auditor) external view returns (string memory);

    // ------------------------------------------------------------------------- reserve assets

    /// @notice Approves `asset` (an ERC20 answering `decimals()` <= MAX_DECIMALS) as a reserve asset.
    /// Admin only: the subject owner is the party PoR distrusts, so it cannot pick a token whose
    /// balances it controls.
    function approveReserveAsset(address asset) external;

    /// @notice Revokes `asset`. Subjects keep naming it, but its wallet balances stop counting at once:
    /// their live reserves read 0 and collateralization() is not fresh. Admin only.
    function revokeReserveAsset(address asset) external;

    /// @notice Whether `asset` is currently an approved reserve asset.
    function isApprovedReserveAsset(address asset) external view returns (bool);

    // ------------------------------------------------------------------------------- subjects

    /// @notice Registers `subjectId` with `config`; the caller becomes its owner. Permissionless.
    function registerSubject(bytes32 subjectId, SubjectConfig calldata config) external;

    /// @notice Replaces `subjectId`'s config. Subject owner only. Existing rounds are kept. What the
    /// figures mean is fixed: decimals never change (DecimalsFrozen); the token and the reserve asset
    /// never change once a round was posted or a reserve wallet added (TokenFrozen, ReserveAssetFrozen),
    /// whatever is removed later. A new reserve asset must be approved (ReserveAssetNotApproved); an
    /// unchanged one that was revoked since is kept. A raised heartbeat applies from the next round
    /// on, so it cannot make an old round fresh again.
    function updateSubject(bytes32 subjectId, SubjectConfig calldata config) external;

    /// @notice Offers ownership of `subjectId` to `newOwner`, who must accept. Zero cancels.
    function transferSubjectOwnership(bytes32 subjectId, address newOwner) external;

    /// @notice Accepts a pending ownership offer for `subjectId`.
    function acceptSubjectOwnership(bytes32 subjectId) external;

    /// @notice `subjectId`'s config and owner. Reverts with UnknownSubject if it is not registered.
    function subject(bytes32 subjectId) external view returns (SubjectConfig memory config, address owner);

    /// @notice The token whose supply is `subjectId`'s liability (zero if none): a cheap read for
    /// tokens that must check they are the subject's token before minting against its reserves.
    function subjectToken(bytes32 subjectId) external view returns (address);

    /// @notice The account `subjectId`'s ownership was offered to, or zero.
    function pendingSubjectOwner(bytes32 subjectId) external view returns (address);

    /// @notice The subject's owner (what `subject()` also returns, without copying the config).
    function subjectOwner(bytes32 subjectId) external view returns (address);

    // --------------------------------------------------------------------------- attestations

    /// @notice Posts `att` as the subject's next round. Anyone may relay. Amounts above MAX_AMOUNT are
    /// refused (AmountTooLarge).
    /// @param signers Strictly ascending addresses of currently accredited auditors listed for the subject.
    /// @param signatures One signature per signer over attestationDigest(att): ECDSA (low-s) by the
    /// signer's key, else ERC-1271 for contract wallets (the key is tried first: an EIP-7702 account's
    /// key still speaks for it).
    /// @return roundId The new round, numbered 1, 2, 3… per subject.
    function postAttestation(
        Attestation calldata att,
        address[] calldata signers,
        bytes[] calldata signatures
    ) external returns (uint80 roundId);

    /// @notice The EIP-712 digest auditors sign for `att`.
    function attestationDigest(Attestation calldata att) external view returns (bytes32);

    /// @notice The latest round of `subjectId`, 0 before the first.
    function latestRoundId(bytes32 subjectId) external view returns (uint80);

    /// @notice Round `roundId` of `subjectId` and the block time it was posted. Reverts with
    /// RoundNotFound for a missing round.
    function getAttestation(
        bytes32 subjectId,
        uint80 roundId
    ) external view returns (Attestation memory att, uint64 postedAt);

    /// @notice The latest round of `subjectId`. Reverts with RoundNotFound (round 0) before the first.
    function latestAttestation(
        bytes32 subjectId
    ) external view returns (uint80 roundId, Attestation memory att, uint64 postedAt);

    /// @notice Whether a round exists and its `asOf` is at most `heartbeat` seconds old, where the
    /// heartbeat is the lower of the current one and the one in force when the round was posted.
    function isFresh(bytes32 subjectId) external view returns (bool);

    // ------------------------------------------------------------------------- reserve wallets

    /// @notice Registers `wallet` as holding `subjectId`'s reserves. Subject owner only. From the
    /// first wallet on, the subject's reserves are read live for good (liveReserves), even after every
    /// wallet is removed: the owner cannot switch back to a higher attested figure.
    /// @param signature The wallet's own signature (ECDSA, or ERC-1271 for contract wallets) over the
    /// EIP-712 type `ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)`, proving
    /// the issuer controls it and consents to back the subject with that asset.
    function addReserveWallet(bytes32 subjectId, address wallet, bytes calldata signature) external;

    /// @notice Stops counting `wallet` for `subjectId`. Subject owner only. Refused with
    /// ReserveWalletBacksLiabilities when it would lower what backs the subject's outstanding
    /// liabilities (`token.totalSupply()`, else the latest round's attested liabilities): when the
    /// wallet holds a balance and the reserves left would be below them. So a balance that backs one
    /// subject cannot be moved to back another by owner calls alone; an empty wallet, a wallet whose
    /// funds moved to another of the subject's wallets, or any wallet of a subject that owes nothing
    /// (tokens burned, a round attesting 0) always goes.
    function removeReserveWallet(bytes32 subjectId, address wallet) external;

    /// @notice The wallets backing `subjectId`, in no particular order.
    function reserveWallets(bytes32 subjectId) external view returns (address[] memory);

    /// @notice The EIP-712 digest `wallet` signs to back `subjectId` with its balance of `reserveAsset`.
    function reserveAddressDigest(
        bytes32 subjectId,
        address wallet,
        address reserveAsset
    ) external view returns (bytes32);

    /// @notice Sum of `reserveAsset.balanceOf` over the reserve wallets, in the subject's decimals
    /// (rounded down); 0 while the reserve asset is revoked. Reverts with NoReserveAsset when the
    /// subject has no on-chain reserve asset, LiveReservesOverflow or DecimalScalingOverflow for sums
    /// that cannot be represented.
    function liveReserves(bytes32 subjectId) external view returns (uint256);

    /// @notice The reserves collateralization() uses, in the subject's decimals, and the round they
    /// belong to (what ReserveFeed answers). Live (the subject has had a reserve wallet): roundId =
    /// FeedRounds.live() (a fresh id per block), updatedAt = block.timestamp, reserves 0 while the
    /// asset is revoked. Attested: the latest round, its reserves and asOf; (0, 0, 0) before the first.
    function reservesRound(
        bytes32 subjectId
    ) external view returns (uint80 roundId, uint256 reserves, uint64 updatedAt);

    // ------------------------------------------------------------------------ collateralization

    /// @notice Whether `subjectId` is backed, both sides normalized to 18 decimals (rounded down).
    /// @return reserves Live reserves if the subject has had a reserve wallet, else the latest attested
    /// reserves (0 before the first round).
    /// @return supply `token.totalSupply()` if the subject has a token, else the latest attested liabilities.
    /// @return ratioWad reserves * 1e18 / supply, or type(uint256).max when supply is 0 (or the ratio
    /// is above it).
    /// @return fresh False while the reserve asset of live reserves is revoked. Otherwise true when
    /// both sides are read live, else isFresh(subjectId): an attested side is only as good as its snapshot.
    function collateralization(
        bytes32 subjectId
    ) external view returns (uint256 reserves, uint256 supply, uint256 ratioWad, bool fresh);

    /// @notice The round collateralization() reflects (what ReserveRatioFeed answers as its latest).
    /// No side live: the latest attested round and its asOf. Any side live: the ratio can change in
    /// every block, so roundId = FeedRounds.live() and updatedAt = the older side's time (the attested
    /// asOf, or block.timestamp when both are live). (0, 0) while a side that must be attested has no round.
    function collateralizationRound(
        bytes32 subjectId
    ) external view returns (uint80 roundId, uint64 updatedAt);

    // ------------------------------------------------------------------------------ liabilities

    /// @notice True iff `proof` takes the leaf of (`accountCommitment`, `balance`) to round
    /// `roundId`'s `liabilitiesRoot` with sum equal to its `liabilities`. False for a round that
    /// published no root, or a proof whose sums overflow. Reverts with RoundNotFound for a missing round.
    function verifyLiability(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 accountCommitment,
        uint256 balance,
        ProofStep[] calldata proof
    ) external view returns (bool);

    // ------------------------------------------------------------------------------ challenges

    /// @notice The LiabilityChallenges this registry created in its constructor: published proofs,
    /// customer challenges and `solvency()`. Fixed for good, so no one can swap who disputes rounds.
    function challenges() external view returns (address);

    /// @notice Marks round `roundId` disputed (a challenge of it was settled unanswered). Only
    /// `challenges()` calls it.
    function recordDispute(bytes32 subjectId, uint80 roundId) external;

    /// @notice Whether a challenge of round `roundId` was settled unanswered. Freshness follows the
    /// subject's last such dispute: a latest round whose asOf is not after it counts as disputed (not
    /// fresh, dated 0), whichever round was challenged, so only a snapshot taken after the dispute
    /// restores the subject. Reverts with RoundNotFound for a missing round.
    function isDisputed(bytes32 subjectId, uint80 roundId) external view returns (bool);

    /// @notice Whether round `roundId` reads as disputed now, as the feeds date it (updatedAt 0): its
    /// own challenge was settled unanswered (isDisputed), or it is the latest round and its snapshot is
    /// not after the subject's last settled dispute. A round that stops being the latest reads as its
    /// own record says again. Reverts with RoundNotFound for a missing round.
    function readsAsDisputed(bytes32 subjectId, uint80 roundId) external view returns (bool);

    /// @notice Who signed round `roundId`: bit i set = the subject's `auditors[i]`, as listed when the
    /// round was posted. Reverts with RoundNotFound for a missing round.
    function roundSigners(bytes32 subjectId, uint80 roundId) external view returns (uint32);

    /// @notice The EIP-712 digest a subject's statement signer signs to state a customer's balance
    /// at a round's `asOf` (what the customer's account page shows).
    function balanceStatementDigest(
        bytes32 subjectId,
        bytes32 accountCommitment,
        uint256 balance,
        uint64 asOf
    ) external view returns (bytes32);
}
