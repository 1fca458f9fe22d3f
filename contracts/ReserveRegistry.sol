// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {BackingRatio} from "./libraries/BackingRatio.sol";
import {DecimalScaling} from "./libraries/DecimalScaling.sol";
import {FeedRounds} from "./libraries/FeedRounds.sol";
import {LiabilityChallenges} from "./LiabilityChallenges.sol";
import {MerkleSumProof, ProofStep} from "./libraries/MerkleSumProof.sol";

/// @title ReserveRegistry
/// @notice One per chain. See IReserveRegistry for the protocol; docs/protocol.md for the trust model.
contract ReserveRegistry is IReserveRegistry, AccessControlDefaultAdminRules, EIP712 {
    /// @notice EIP-712 type hash of Attestation.
    bytes32 public constant ATTESTATION_TYPEHASH = keccak256(
        "Attestation(bytes32 subjectId,uint64 asOf,uint256 reserves,uint256 liabilities,bytes32 liabilitiesRoot,bytes32 reportHash)"
    );

    /// @notice EIP-712 type hash of ReserveAddress, signed by a wallet to back a subject.
    bytes32 public constant RESERVE_ADDRESS_TYPEHASH = keccak256(
        "ReserveAddress(bytes32 subjectId,address wallet,address reserveAsset)"
    );

    /// @notice EIP-712 type hash of BalanceStatement, signed by a subject's statement signer.
    bytes32 public constant BALANCE_STATEMENT_TYPEHASH = keccak256(
        "BalanceStatement(bytes32 subjectId,bytes32 accountCommitment,uint256 balance,uint64 asOf)"
    );

    /// @notice Bound on reserve wallets per subject, so liveReserves (one balanceOf per wallet) stays
    /// well under a block and cheap enough to call inline from a mint (docs/gas.md).
    uint256 public constant MAX_RESERVE_WALLETS = 50;

    /// @notice Delay before a new default admin can accept the role (two-step admin transfer).
    uint48 public constant ADMIN_TRANSFER_DELAY = 2 days;

    /// @notice Bound on listed auditors, so posting and config updates stay cheap and bounded.
    uint256 public constant MAX_AUDITORS_PER_SUBJECT = 32;

    /// @notice Longest heartbeat a subject may set: a quarter, the slowest common audit cadence.
    /// Without a bound the subject owner could keep any attestation "fresh" forever.
    uint32 public constant MAX_HEARTBEAT = 92 days;

    /// @notice Bound on decimals, so amounts can always be normalized to 18 decimals in a uint256.
    uint8 public constant MAX_DECIMALS = 36;

    /// @notice Bound on attested amounts (~3.4e38 base units, more than any real reserve at 18
    /// decimals): any of them normalizes to 18 decimals and fits a feed's int256 answer.
    uint256 public constant MAX_AMOUNT = type(uint128).max;

    /// @dev A subject's storage, laid out by who reads it: slot 0 is the round state (every feed read and
    /// every posting), slot 1 what a posting checks, slot 2 what a live reserves reading needs. Stored
    /// field by field rather than as a SubjectConfig, whose ABI order would spread these over more slots.
    struct Subject {
        // ---- slot 0 (80 + 64 + 32 + 8 + 64 bits)
        uint80 latestRoundId;
        uint64 latestAsOf;
        // The heartbeat in force when the latest round was posted.
        uint32 latestHeartbeat;
        // Set by the first reserve wallet and never cleared: from then on reserves are read live, so
        // removing every wallet cannot switch the subject back to a (higher) attested figure.
        bool reservesLive;
        // When a challenge of any of its rounds was last settled unanswered: a latest round whose
        // snapshot is not after it counts as disputed, so posting the next round before the
        // settlement (or a pre-signed one right after it) does not wash the dispute away.
        uint64 disputedAt;
        // ---- slot 1 (160 + 32 + 8 + 48 bits)
        address owner;
        uint32 heartbeat;
        uint8 quorum;
        // The registry's revocation count when every listed auditor was last seen accredited: while no
        // auditor has been revoked since, a posting need not read each signer's accreditation.
        uint48 auditorsCheckedAt;
        // ---- slot 2 (160 + 8 + 8 bits)
        address reserveAsset;
        uint8 decimals;
        uint8 walletCount;
        // ---- one slot each
        address token;
        address pendingOwner;
        string name;
        address[] auditors;
    }

    /// @dev An attestation as stored, in four slots: subjectId is the mapping key, the times, signers
    /// and dispute flag share one, both amounts (at most MAX_AMOUNT) another.
    struct Round {
        uint64 asOf;
        uint64 postedAt;
        // Bit i = the subject's auditors[i] at posting time signed.
        uint32 signers;
        bool disputed;
        uint128 reserves;
        uint128 liabilities;
        bytes32 liabilitiesRoot;
        bytes32 reportHash;
    }

    /// @dev Half the secp256k1 order: the largest s of a canonical (low-s) signature.
    uint256 private constant _MAX_LOW_S = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    /// @inheritdoc IReserveRegistry
    address public immutable challenges;

    mapping(address auditor => bool) private _accredited;
    mapping(address auditor => string) private _auditorNames;
    mapping(bytes32 subjectId => Subject) private _subjects;
    // The auditor's position in the subject's auditors list plus one; 0 = not the subject's auditor.
    mapping(bytes32 subjectId => mapping(address auditor => uint256)) private _auditorPosition;
    mapping(bytes32 subjectId => mapping(uint80 roundId => Round)) private _rounds;
    // The first `walletCount` entries back the subject: a fixed array, so reading wallet i costs one
    // storage read and no length read (the count rides in the slot the live reading reads anyway).
    mapping(bytes32 subjectId => address[MAX_RESERVE_WALLETS]) private _reserveWallets;
    mapping(address reserveAsset => mapping(address wallet => bytes32 subjectId)) private _walletSubject;
    mapping(address asset => bool) private _approvedReserveAssets;
    // Auditor revocations so far (see Subject.auditorsCheckedAt).
    uint48 private _revocationCount;

    modifier onlySubjectOwner(bytes32 subjectId) {
        if (msg.sender != _existingSubject(subjectId).owner) revert NotSubjectOwner(subjectId, msg.sender);
        _;
    }

    constructor(
        address admin
    ) AccessControlDefaultAdminRules(ADMIN_TRANSFER_DELAY, admin) EIP712("ReserveRegistry", "1") {
        // Created here, so its address follows from the registry's and no one can swap it later. Its
        // creation code is in the registry's init code only, not in the deployed registry.
        challenges = address(new LiabilityChallenges(this));
    }

    // ------------------------------------------------------------------------------- auditors

    /// @inheritdoc IReserveRegistry
    function accreditAuditor(address auditor, string calldata name) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (auditor == address(0)) revert InvalidAuditorAddress();
        if (bytes(name).length == 0) revert EmptyAuditorName();
        if (_accredited[auditor]) revert AuditorAlreadyAccredited(auditor);
        _accredited[auditor] = true;
        _auditorNames[auditor] = name;
        emit AuditorAccredited(auditor, name);
    }

    /// @inheritdoc IReserveRegistry
    function revokeAuditor(address auditor) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_accredited[auditor]) revert AuditorNotAccredited(auditor);
        _accredited[auditor] = false;
        // Every subject that lists auditors now reads each signer's accreditation again when posting.
        ++_revocationCount;
        emit AuditorRevoked(auditor);
    }

    /// @inheritdoc IReserveRegistry
    function isAccredited(address auditor) external view returns (bool) {
        return _accredited[auditor];
    }

    /// @inheritdoc IReserveRegistry
    function auditorName(address auditor) external view returns (string memory) {
        return _auditorNames[auditor];
    }

    // ------------------------------------------------------------------------- reserve assets

    /// @inheritdoc IReserveRegistry
    function approveReserveAsset(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _tokenDecimals(asset);
        if (_approvedReserveAssets[asset]) revert ReserveAssetAlreadyApproved(asset);
        _approvedReserveAssets[asset] = true;
        emit ReserveAssetApproved(asset);
    }

    /// @inheritdoc IReserveRegistry
    function revokeReserveAsset(address asset) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (!_approvedReserveAssets[asset]) revert ReserveAssetNotApproved(asset);
        _approvedReserveAssets[asset] = false;
        emit ReserveAssetRevoked(asset);
    }

    /// @inheritdoc IReserveRegistry
    function isApprovedReserveAsset(address asset) external view returns (bool) {
        return _approvedReserveAssets[asset];
    }

    // ------------------------------------------------------------------------------- subjects

    /// @inheritdoc IReserveRegistry
    function registerSubject(bytes32 subjectId, SubjectConfig calldata config) external {
        if (subjectId == bytes32(0)) revert InvalidSubjectId();
        Subject storage s = _subjects[subjectId];
        if (s.owner != address(0)) revert SubjectAlreadyRegistered(subjectId);
        s.owner = msg.sender;
        emit SubjectRegistered(subjectId, msg.sender);
        _setConfig(subjectId, s, config);
    }

    /// @inheritdoc IReserveRegistry
    function updateSubject(
        bytes32 subjectId,
        SubjectConfig calldata config
    ) external onlySubjectOwner(subjectId) {
        Subject storage s = _subjects[subjectId];
        if (config.decimals != s.decimals) {
            revert DecimalsFrozen(subjectId, s.decimals, config.decimals);
        }
        // Once a round or a wallet has backed the subject, what backs it is fixed for good: the
        // flags behind this never reset, so no sequence of removals and updates reopens it.
        if (s.latestRoundId != 0 || s.reservesLive) {
            if (config.token != s.token) revert TokenFrozen(subjectId, s.token, config.token);
            if (config.reserveAsset != s.reserveAsset) {
                revert ReserveAssetFrozen(subjectId, s.reserveAsset, config.reserveAsset);
            }
        }
        address[] storage previous = s.auditors;
        for (uint256 i = 0; i < previous.length; ++i) {
            delete _auditorPosition[subjectId][previous[i]];
        }
        _setConfig(subjectId, s, config);
    }

    /// @inheritdoc IReserveRegistry
    function transferSubjectOwnership(
        bytes32 subjectId,
        address newOwner
    ) external onlySubjectOwner(subjectId) {
        _subjects[subjectId].pendingOwner = newOwner;
        emit SubjectOwnershipTransferStarted(subjectId, msg.sender, newOwner);
    }

    /// @inheritdoc IReserveRegistry
    function acceptSubjectOwnership(bytes32 subjectId) external {
        Subject storage s = _existingSubject(subjectId);
        if (msg.sender != s.pendingOwner) revert NotPendingSubjectOwner(subjectId, msg.sender);
        address previousOwner = s.owner;
        s.owner = msg.sender;
        s.pendingOwner = address(0);
        emit SubjectOwnershipTransferred(subjectId, previousOwner, msg.sender);
    }

    /// @inheritdoc IReserveRegistry
    function subject(bytes32 subjectId) external view returns (SubjectConfig memory config, address owner) {
        Subject storage s = _existingSubject(subjectId);
        config = SubjectConfig({
            name: s.name,
            decimals: s.decimals,
            token: s.token,
            reserveAsset: s.reserveAsset,
            heartbeat: s.heartbeat,
            quorum: s.quorum,
            auditors: s.auditors
        });
        owner = s.owner;
    }

    /// @inheritdoc IReserveRegistry
    function subjectToken(bytes32 subjectId) external view returns (address) {
        return _existingSubject(subjectId).token;
    }

    /// @inheritdoc IReserveRegistry
    function subjectOwner(bytes32 subjectId) external view returns (address) {
        return _existingSubject(subjectId).owner;
    }

    /// @inheritdoc IReserveRegistry
    function pendingSubjectOwner(bytes32 subjectId) external view returns (address) {
        return _existingSubject(subjectId).pendingOwner;
    }

    // --------------------------------------------------------------------------- attestations

    /// @inheritdoc IReserveRegistry
    function postAttestation(
        Attestation calldata att,
        address[] calldata signers,
        bytes[] calldata signatures
    ) external returns (uint80 roundId) {
        Subject storage s = _existingSubject(att.subjectId);
        if (att.asOf <= s.latestAsOf) revert StaleAttestation(att.asOf, s.latestAsOf);
        if (att.asOf > block.timestamp) revert FutureAttestation(att.asOf, block.timestamp);
        if (att.reserves > MAX_AMOUNT) revert AmountTooLarge(att.reserves, MAX_AMOUNT);
        if (att.liabilities > MAX_AMOUNT) revert AmountTooLarge(att.liabilities, MAX_AMOUNT);
        // While no auditor was revoked since the list was checked, each signer's accreditation holds.
        bool recheckAccreditation = s.auditorsCheckedAt != _revocationCount;
        uint32 signerBits = _checkSignatures(att, s.quorum, recheckAccreditation, signers, signatures);

        // unchecked: 2^80 rounds would need more blocks than the chain will ever have.
        unchecked {
            roundId = s.latestRoundId + 1;
        }
        s.latestRoundId = roundId;
        s.latestAsOf = att.asOf;
        s.latestHeartbeat = s.heartbeat;
        _rounds[att.subjectId][roundId] = Round({
            asOf: att.asOf,
            postedAt: uint64(block.timestamp),
            signers: signerBits,
            disputed: false,
            reserves: uint128(att.reserves), // both at most MAX_AMOUNT, checked above
            liabilities: uint128(att.liabilities),
            liabilitiesRoot: att.liabilitiesRoot,
            reportHash: att.reportHash
        });
        _emitAttestationPosted(att, roundId, signers);
    }

    /// @inheritdoc IReserveRegistry
    function attestationDigest(Attestation calldata att) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        ATTESTATION_TYPEHASH,
                        att.subjectId,
                        att.asOf,
                        att.reserves,
                        att.liabilities,
                        att.liabilitiesRoot,
                        att.reportHash
                    )
                )
            );
    }

    /// @inheritdoc IReserveRegistry
    function latestRoundId(bytes32 subjectId) external view returns (uint80) {
        return _existingSubject(subjectId).latestRoundId;
    }

    /// @inheritdoc IReserveRegistry
    function getAttestation(
        bytes32 subjectId,
        uint80 roundId
    ) external view returns (Attestation memory att, uint64 postedAt) {
        return _attestation(subjectId, roundId);
    }

    /// @inheritdoc IReserveRegistry
    function latestAttestation(
        bytes32 subjectId
    ) external view returns (uint80 roundId, Attestation memory att, uint64 postedAt) {
        roundId = _existingSubject(subjectId).latestRoundId;
        (att, postedAt) = _attestation(subjectId, roundId);
    }

    /// @inheritdoc IReserveRegistry
    function isFresh(bytes32 subjectId) external view returns (bool) {
        return _isFresh(_existingSubject(subjectId));
    }

    // ------------------------------------------------------------------------- reserve wallets

    /// @inheritdoc IReserveRegistry
    function addReserveWallet(
        bytes32 subjectId,
        address wallet,
        bytes calldata signature
    ) external onlySubjectOwner(subjectId) {
        Subject storage s = _subjects[subjectId];
        address asset = s.reserveAsset;
        if (asset == address(0)) revert NoReserveAsset(subjectId);
        if (!_approvedReserveAssets[asset]) revert ReserveAssetNotApproved(asset);
        // The wallet's own key first, as for attestations: an EIP-7702 account's key still speaks for it.
        bytes32 digest = reserveAddressDigest(subjectId, wallet, asset);
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(digest, signature);
        if (
            !(err == ECDSA.RecoverError.NoError && recovered == wallet) &&
            !SignatureChecker.isValidERC1271SignatureNowCalldata(wallet, digest, signature)
        ) {
            revert InvalidReserveWalletSignature(wallet);
        }
        bytes32 current = _walletSubject[asset][wallet];
        if (current == subjectId) revert ReserveWalletAlreadyAdded(subjectId, wallet);
        if (current != bytes32(0)) revert ReserveWalletInUse(wallet, current);
        uint8 count = s.walletCount;
        if (count >= MAX_RESERVE_WALLETS) revert TooManyReserveWallets(subjectId, MAX_RESERVE_WALLETS);
        _reserveWallets[subjectId][count] = wallet;
        s.walletCount = count + 1;
        _walletSubject[asset][wallet] = subjectId;
        s.reservesLive = true;
        emit ReserveWalletAdded(subjectId, wallet);
    }

    /// @inheritdoc IReserveRegistry
    function removeReserveWallet(bytes32 subjectId, address wallet) external onlySubjectOwner(subjectId) {
        Subject storage s = _subjects[subjectId];
        address asset = s.reserveAsset;
        // The asset is frozen while wallets back the subject, so this names the wallet's entry.
        mapping(address wallet => bytes32 subjectId) storage walletSubject = _walletSubject[asset];
        if (walletSubject[wallet] != subjectId) revert ReserveWalletNotFound(subjectId, wallet);
        _requireNotBacking(subjectId, s, asset, wallet);
        delete walletSubject[wallet];
        // Swap with the last and pop, as EnumerableSet does: a rare owner call scans at most 50 slots
        // so that the hot read path needs no position mapping.
        address[MAX_RESERVE_WALLETS] storage wallets = _reserveWallets[subjectId];
        uint256 last = s.walletCount - 1;
        uint256 i = 0;
        while (wallets[i] != wallet) ++i;
        if (i != last) wallets[i] = wallets[last];
        delete wallets[last];
        s.walletCount = uint8(last);
        emit ReserveWalletRemoved(subjectId, wallet);
    }

    /// @inheritdoc IReserveRegistry
    function reserveWallets(bytes32 subjectId) external view returns (address[] memory) {
        uint256 count = _existingSubject(subjectId).walletCount;
        address[MAX_RESERVE_WALLETS] storage stored = _reserveWallets[subjectId];
        address[] memory wallets = new address[](count);
        for (uint256 i = 0; i < count; ++i) wallets[i] = stored[i];
        return wallets;
    }

    /// @inheritdoc IReserveRegistry
    function reserveAddressDigest(
        bytes32 subjectId,
        address wallet,
        address reserveAsset
    ) public view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(RESERVE_ADDRESS_TYPEHASH, subjectId, wallet, reserveAsset))
            );
    }

    /// @inheritdoc IReserveRegistry
    function liveReserves(bytes32 subjectId) external view returns (uint256) {
        Subject storage s = _existingSubject(subjectId);
        if (s.reserveAsset == address(0)) revert NoReserveAsset(subjectId);
        (uint256 reserves, ) = _liveReserves(subjectId, s);
        return reserves;
    }

    /// @inheritdoc IReserveRegistry
    function reservesRound(
        bytes32 subjectId
    ) external view returns (uint80 roundId, uint256 reserves, uint64 updatedAt) {
        // What feeds read on every call: the round state slot, then one slot of the round or the wallets.
        // A subject with a round or a wallet exists, so the owner slot is read only otherwise.
        Subject storage s = _subjects[subjectId];
        if (s.reservesLive) {
            (reserves, ) = _liveReserves(subjectId, s);
            // A disputed subject dates nothing, even where its reserves are read live.
            return (FeedRounds.live(), reserves, _latestDisputed(s) ? 0 : uint64(block.timestamp));
        }
        roundId = s.latestRoundId;
        if (roundId == 0) {
            _existingSubject(subjectId);
            return (0, 0, 0);
        }
        // A disputed round is reported with no update time.
        return (roundId, _rounds[subjectId][roundId].reserves, _latestDisputed(s) ? 0 : s.latestAsOf);
    }

    // ------------------------------------------------------------------------ collateralization

    /// @inheritdoc IReserveRegistry
    function collateralization(
        bytes32 subjectId
    ) external view returns (uint256 reserves, uint256 supply, uint256 ratioWad, bool fresh) {
        Subject storage s = _existingSubject(subjectId);
        Round storage latest = _rounds[subjectId][s.latestRoundId]; // all zero before the first round
        address token = s.token;
        uint8 decimals = s.decimals;
        bool liveSupplySide = token != address(0);
        bool assetApproved = true;
        if (s.reservesLive) {
            (reserves, assetApproved) = _liveReserves(subjectId, s);
        } else {
            reserves = latest.reserves;
        }
        reserves = DecimalScaling.toWad(reserves, decimals);
        // The supply in the subject's decimals, the token's when it was named (DecimalsMismatch): raw
        // units, as consumers compare them, whatever the token's decimals() answers later.
        supply = DecimalScaling.toWad(
            liveSupplySide ? IERC20Metadata(token).totalSupply() : latest.liabilities,
            decimals
        );
        ratioWad = BackingRatio.ratioWad(reserves, supply);
        // A disputed latest round is never fresh, even where both sides are read live.
        fresh = assetApproved && !_latestDisputed(s) && ((s.reservesLive && liveSupplySide) || _isFresh(s));
    }

    /// @inheritdoc IReserveRegistry
    function collateralizationRound(
        bytes32 subjectId
    ) external view returns (uint80 roundId, uint64 updatedAt) {
        Subject storage s = _existingSubject(subjectId);
        bool liveReserveSide = s.reservesLive;
        bool liveSupplySide = s.token != address(0);
        // A disputed subject dates nothing, even where both sides are read live.
        bool disputed = _latestDisputed(s);
        if (liveReserveSide && liveSupplySide)
            return (FeedRounds.live(), disputed ? 0 : uint64(block.timestamp));
        // A side that must be attested has no round yet: no reading.
        if (s.latestRoundId == 0) return (0, 0);
        // The attested side dates the reading.
        uint64 attestedAt = disputed ? 0 : s.latestAsOf;
        if (liveReserveSide || liveSupplySide) return (FeedRounds.live(), attestedAt);
        return (s.latestRoundId, attestedAt);
    }

    // ------------------------------------------------------------------------------ liabilities

    /// @inheritdoc IReserveRegistry
    function verifyLiability(
        bytes32 subjectId,
        uint80 roundId,
        bytes32 accountCommitment,
        uint256 balance,
        ProofStep[] calldata proof
    ) external view returns (bool) {
        Round storage r = _existingRound(subjectId, roundId);
        bytes32 root = r.liabilitiesRoot;
        if (root == bytes32(0)) return false;
        return MerkleSumProof.verifyCalldata(root, r.liabilities, accountCommitment, balance, proof);
    }

    // ------------------------------------------------------------------------------- challenges

    /// @inheritdoc IReserveRegistry
    function recordDispute(bytes32 subjectId, uint80 roundId) external {
        if (msg.sender != challenges) revert NotChallenges(msg.sender);
        Round storage r = _existingRound(subjectId, roundId);
        if (r.disputed) return; // a second unanswered challenge of the round changes nothing
        r.disputed = true;
        _subjects[subjectId].disputedAt = uint64(block.timestamp);
        emit RoundDisputed(subjectId, roundId);
    }

    /// @inheritdoc IReserveRegistry
    function isDisputed(bytes32 subjectId, uint80 roundId) external view returns (bool) {
        return _existingRound(subjectId, roundId).disputed;
    }

    /// @inheritdoc IReserveRegistry
    function readsAsDisputed(bytes32 subjectId, uint80 roundId) external view returns (bool) {
        if (_existingRound(subjectId, roundId).disputed) return true;
        Subject storage s = _subjects[subjectId];
        return roundId == s.latestRoundId && _latestDisputed(s);
    }

    /// @inheritdoc IReserveRegistry
    function roundSigners(bytes32 subjectId, uint80 roundId) external view returns (uint32) {
        return _existingRound(subjectId, roundId).signers;
    }

    /// @inheritdoc IReserveRegistry
    function balanceStatementDigest(
        bytes32 subjectId,
        bytes32 accountCommitment,
        uint256 balance,
        uint64 asOf
    ) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(BALANCE_STATEMENT_TYPEHASH, subjectId, accountCommitment, balance, asOf))
            );
    }

    // -------------------------------------------------------------------------------- private

    function _existingSubject(bytes32 subjectId) private view returns (Subject storage s) {
        s = _subjects[subjectId];
        if (s.owner == address(0)) revert UnknownSubject(subjectId);
    }

    function _attestation(
        bytes32 subjectId,
        uint80 roundId
    ) private view returns (Attestation memory att, uint64 postedAt) {
        Round storage r = _existingRound(subjectId, roundId);
        att = Attestation({
            subjectId: subjectId,
            asOf: r.asOf,
            reserves: r.reserves,
            liabilities: r.liabilities,
            liabilitiesRoot: r.liabilitiesRoot,
            reportHash: r.reportHash
        });
        postedAt = r.postedAt;
    }

    /// @dev A subject with a round exists: its owner slot is read only to name a missing subject.
    function _existingRound(bytes32 subjectId, uint80 roundId) private view returns (Round storage) {
        if (roundId == 0 || roundId > _subjects[subjectId].latestRoundId) {
            _existingSubject(subjectId);
            revert RoundNotFound(subjectId, roundId);
        }
        return _rounds[subjectId][roundId];
    }

    /// @dev Validates `config` and stores it; the caller has cleared the previous auditor flags.
    function _setConfig(bytes32 subjectId, Subject storage s, SubjectConfig calldata config) private {
        if (bytes(config.name).length == 0) revert EmptySubjectName();
        if (config.decimals > MAX_DECIMALS) revert InvalidDecimals(config.decimals, MAX_DECIMALS);
        if (config.heartbeat == 0 || config.heartbeat > MAX_HEARTBEAT) {
            revert InvalidHeartbeat(config.heartbeat, MAX_HEARTBEAT);
        }
        // Checked when the token is named: a token that changes its decimals() later must not lock its
        // subject's config (the supply keeps being read in the units it was named with).
        if (config.token != address(0) && config.token != s.token) {
            uint8 tokenDecimals = _tokenDecimals(config.token);
            if (tokenDecimals != config.decimals) revert DecimalsMismatch(config.decimals, tokenDecimals);
        }
        // A since-revoked asset may stay (the owner can still manage auditors); it just stops counting.
        address asset = config.reserveAsset;
        if (asset != address(0) && asset != s.reserveAsset && !_approvedReserveAssets[asset]) {
            revert ReserveAssetNotApproved(asset);
        }
        uint256 auditorCount = config.auditors.length;
        if (auditorCount > MAX_AUDITORS_PER_SUBJECT) {
            revert TooManyAuditors(auditorCount, MAX_AUDITORS_PER_SUBJECT);
        }
        if (config.quorum == 0 || config.quorum > auditorCount)
            revert InvalidQuorum(config.quorum, auditorCount);
        for (uint256 i = 0; i < auditorCount; ++i) {
            address auditor = config.auditors[i];
            if (!_accredited[auditor]) revert AuditorNotAccredited(auditor);
            if (_auditorPosition[subjectId][auditor] != 0) revert DuplicateAuditor(auditor);
            _auditorPosition[subjectId][auditor] = i + 1;
        }
        s.heartbeat = config.heartbeat;
        s.quorum = config.quorum;
        s.auditorsCheckedAt = _revocationCount; // every listed auditor was just seen accredited
        s.reserveAsset = asset;
        s.decimals = config.decimals;
        s.token = config.token;
        s.name = config.name;
        s.auditors = config.auditors;
        emit SubjectConfigSet(subjectId, config);
    }

    /// @dev Returns the signers as a bitmap over the subject's auditors list. Per signer: its position
    /// (one storage read), then its own key's ECDSA signature (one ecrecover), and only if that fails
    /// ERC-1271; its accreditation only after a revocation (see Subject.auditorsCheckedAt). The hot
    /// part is assembly: the decoder's checks and the ECDSA library's layers cost as much again.
    function _checkSignatures(
        Attestation calldata att,
        uint8 quorum,
        bool recheckAccreditation,
        address[] calldata signers,
        bytes[] calldata signatures
    ) private view returns (uint32 signerBits) {
        if (signers.length != signatures.length)
            revert SignatureCountMismatch(signers.length, signatures.length);
        if (signers.length < quorum) revert QuorumNotMet(signers.length, quorum);
        bytes32 digest = attestationDigest(att);
        mapping(address auditor => uint256) storage positions = _auditorPosition[att.subjectId];
        address previous = address(0);
        for (uint256 i = 0; i < signers.length; ++i) {
            address signer;
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                // signers[i], in bounds; refused like the decoder refuses it if not a clean address.
                signer := calldataload(add(signers.offset, shl(5, i)))
                if shr(160, signer) {
                    revert(0, 0)
                }
            }
            // Strictly ascending also rules out duplicates and the zero address.
            if (signer <= previous) revert SignersNotAscending(i, signer);
            previous = signer;
            uint256 position = positions[signer];
            if (position == 0) revert SignerNotSubjectAuditor(att.subjectId, signer);
            // unchecked: 1 <= position <= MAX_AUDITORS_PER_SUBJECT = 32.
            unchecked {
                signerBits |= uint32(1 << (position - 1));
            }
            if (recheckAccreditation && !_accredited[signer]) revert AuditorNotAccredited(signer);
            // The signer's own key first, so an EOA pays no code-size read: whoever holds an
            // address's key speaks for it, code or not (an EIP-7702 account); no contract has a key.
            if (
                !_signedByKey(signer, digest, signatures, i) &&
                !SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signatures[i])
            ) revert InvalidSignature(signer);
        }
    }

    /// @dev Whether `signatures[i]` is `signer`'s ECDSA signature of `digest`, by
    /// ECDSA.tryRecoverCalldata's rules (65 bytes, low s, v 27 or 28) without its layers of calls.
    function _signedByKey(
        address signer,
        bytes32 digest,
        bytes[] calldata signatures,
        uint256 i
    ) private view returns (bool signedByKey) {
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // signatures[i] without the decoder's checks: a malformed offset or length only reads
            // other calldata or zeros past its end, a valid signature by `signer` only if the
            // relayer had one anyway.
            let signature := add(signatures.offset, calldataload(add(signatures.offset, shl(5, i))))
            let s := calldataload(add(signature, 0x40))
            // The high-s twin of a signature is the same signature, malleated (EIP-2).
            if and(eq(calldataload(signature), 65), iszero(gt(s, _MAX_LOW_S))) {
                let input := mload(0x40) // scratch past the free memory pointer, not kept
                mstore(input, digest)
                mstore(add(input, 0x20), byte(0, calldataload(add(signature, 0x60))))
                mstore(add(input, 0x40), calldataload(add(signature, 0x20)))
                mstore(add(input, 0x60), s)
                // The precompile writes nothing for a signature it cannot recover (any v but 27
                // or 28 included): the cleared word then reads as the zero address, no signer.
                mstore(0x00, 0)
                pop(staticcall(gas(), 0x01, input, 0x80, 0x00, 0x20))
                signedByKey := eq(mload(0x00), signer)
            }
        }
    }

    /// @dev `emit AttestationPosted(att.subjectId, roundId, att.asOf, att.reserves, att.liabilities,
    /// att.liabilitiesRoot, att.reportHash, signers)` with its data copied straight from calldata: every
    /// field of `att` was read (so validated) before, and _checkSignatures refused any signer that is
    /// not a clean address, so the copies are their ABI encoding, without a loop per signer.
    function _emitAttestationPosted(
        Attestation calldata att,
        uint80 roundId,
        address[] calldata signers
    ) private {
        bytes32 topic = AttestationPosted.selector;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            let data := mload(0x40) // scratch past the free memory pointer, not kept
            calldatacopy(data, add(att, 0x20), 0xa0) // asOf, reserves, liabilities, liabilitiesRoot, reportHash
            mstore(add(data, 0xa0), 0xc0) // where the signers array starts
            mstore(add(data, 0xc0), signers.length)
            let signersBytes := shl(5, signers.length)
            calldatacopy(add(data, 0xe0), signers.offset, signersBytes)
            log3(data, add(0xe0, signersBytes), topic, calldataload(att), roundId)
        }
    }

    function _isFresh(Subject storage s) private view returns (bool) {
        // latestAsOf <= block.timestamp always holds: future snapshots are refused when posted.
        // Raising the heartbeat must not make an old round fresh again; lowering it applies at once.
        uint256 heartbeat = Math.min(s.latestHeartbeat, s.heartbeat);
        return s.latestRoundId != 0 && !_latestDisputed(s) && block.timestamp - s.latestAsOf <= heartbeat;
    }

    /// @dev The latest round's snapshot is not after the subject's last settled dispute.
    function _latestDisputed(Subject storage s) private view returns (bool) {
        return s.disputedAt != 0 && s.latestRoundId != 0 && s.latestAsOf <= s.disputedAt;
    }

    /// @dev Sum of the wallets' balances in the subject's decimals, and whether the asset is approved:
    /// a revoked asset's balances read 0 (without calling it).
    function _liveReserves(
        bytes32 subjectId,
        Subject storage s
    ) private view returns (uint256 reserves, bool assetApproved) {
        (address asset, uint8 decimals, uint256 count) = (s.reserveAsset, s.decimals, s.walletCount);
        if (!_approvedReserveAssets[asset]) return (0, false);
        reserves = _walletBalances(subjectId, asset, count);
        return (DecimalScaling.rescale(reserves, IERC20Metadata(asset).decimals(), decimals), true);
    }

    /// @dev Sum of `asset.balanceOf` over the subject's first `count` wallets, in the asset's units.
    function _walletBalances(
        bytes32 subjectId,
        address asset,
        uint256 count
    ) private view returns (uint256 balances) {
        address[MAX_RESERVE_WALLETS] storage wallets = _reserveWallets[subjectId];
        for (uint256 i = 0; i < count; ++i) {
            (bool ok, uint256 sum) = Math.tryAdd(balances, IERC20Metadata(asset).balanceOf(wallets[i]));
            if (!ok) revert LiveReservesOverflow(subjectId);
            balances = sum;
        }
    }

    /// @dev Refuses a removal that lowers what backs the subject's outstanding liabilities (the
    /// token's supply, else the latest attested liabilities): min(reserves, outstanding) may not
    /// drop. So a balance, once it backs liabilities, cannot be moved to another subject by owner
    /// calls alone, in one transaction or over days; the custodian moving the funds, burning the
    /// tokens or a round attesting less frees it. Balances are read whether or not the asset is
    /// still approved, so a revocation does not open the door either.
    function _requireNotBacking(
        bytes32 subjectId,
        Subject storage s,
        address asset,
        address wallet
    ) private view {
        // The wallet's balance first: an empty wallet goes without calling the issuer's token.
        uint256 balance = IERC20Metadata(asset).balanceOf(wallet);
        if (balance == 0) return;
        address token = s.token;
        uint256 outstanding =
            token != address(0)
                ? IERC20Metadata(token).totalSupply()
                : _rounds[subjectId][s.latestRoundId].liabilities; // 0 before the first round
        if (outstanding == 0) return;
        uint256 balances = _walletBalances(subjectId, asset, s.walletCount);
        uint8 assetDecimals = IERC20Metadata(asset).decimals();
        uint256 reservesBefore = DecimalScaling.rescale(balances, assetDecimals, s.decimals);
        // balances includes the wallet's balance (an asset answering less for the sum reads as 0 left).
        uint256 reservesAfter = DecimalScaling.rescale(
            balances > balance ? balances - balance : 0,
            assetDecimals,
            s.decimals
        );
        if (reservesAfter < outstanding && reservesAfter < reservesBefore) {
            revert ReserveWalletBacksLiabilities(subjectId, wallet, reservesAfter, outstanding);
        }
    }

    /// @dev Amounts of `token` are normalized with its decimals, so they must exist and be bounded.
    function _tokenDecimals(address token) private view returns (uint8 decimals) {
        if (token.code.length == 0) revert NotAContract(token);
        try IERC20Metadata(token).decimals() returns (uint8 d) {
            decimals = d;
        } catch {
            revert NotAToken(token);
        }
        if (decimals > MAX_DECIMALS) revert InvalidDecimals(decimals, MAX_DECIMALS);
    }
}
