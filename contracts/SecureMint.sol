// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {DecimalScaling} from "./libraries/DecimalScaling.sol";
import {ReserveGuard} from "./libraries/ReserveGuard.sol";

/// @title SecureMint
/// @notice Reserve check for tokens whose supply must stay covered by a registry subject's reserves
/// (the "secure mint" pattern). Inherit it and call `_requireReservesCover(supplyAfterMint, decimals())`
/// before minting; ReserveBackedToken is the ready-made ERC20. On a rollup, configure Chainlink's L2
/// sequencer uptime feed: minting is then refused while the sequencer is down, during the grace period
/// after it comes back, and while the feed is not initialized (ReserveGuard's SequencerDown,
/// GracePeriodNotOver and SequencerStatusUnknown; see ReserveGuard.requireSequencerUp).
abstract contract SecureMint {
    /// @notice Supply after the mint, `supplyAfterMintWad`, would exceed `reservesWad` (both 18 decimals).
    error InsufficientReserves(uint256 supplyAfterMintWad, uint256 reservesWad);

    /// @notice The registry does not call the reserves fresh: they come from an attestation older than
    /// the subject's heartbeat (or none), or they are live in a reserve asset the admin revoked.
    error StaleReserves(bytes32 subjectId);

    /// @notice The registry subject does not name `token` (this contract) as its token, so its
    /// reserves do not back this token's supply.
    error NotSubjectToken(bytes32 subjectId, address token);

    /// @notice The registry holding this token's reserve subject.
    IReserveRegistry public immutable reserveRegistry;

    /// @notice The registry subject whose reserves back this token.
    bytes32 public immutable reserveSubjectId;

    /// @notice Chainlink's L2 sequencer uptime feed checked before each mint; the zero address
    /// (on L1, or a chain without one) checks nothing.
    AggregatorV3Interface public immutable sequencerUptimeFeed;

    /// @notice How long the sequencer must have been back up before minting resumes, in seconds.
    uint256 public immutable sequencerGracePeriodSeconds;

    /// @param registry The registry holding the token's reserve subject.
    /// @param subjectId The registry subject whose reserves back the token.
    /// @param sequencerUptimeFeed_ Chainlink's L2 sequencer uptime feed, or the zero address for none.
    /// @param sequencerGracePeriodSeconds_ Grace period after the sequencer comes back up, in seconds
    /// (ignored without a feed).
    constructor(
        IReserveRegistry registry,
        bytes32 subjectId,
        AggregatorV3Interface sequencerUptimeFeed_,
        uint256 sequencerGracePeriodSeconds_
    ) {
        reserveRegistry = registry;
        reserveSubjectId = subjectId;
        sequencerUptimeFeed = sequencerUptimeFeed_;
        sequencerGracePeriodSeconds = sequencerGracePeriodSeconds_;
    }

    /// @dev Reverts unless the sequencer is up past its grace period (with a sequencer uptime feed
    /// configured), this contract is the subject's token and fresh reserves cover
    /// `supplyAfterMint` (in `tokenDecimals`). Reserves equal to supply pass: full backing is the
    /// requirement, not over-backing. With the token's supply read live, `fresh` is false only when
    /// the reserves are attested and older than the heartbeat (or were never attested), or live in a
    /// revoked reserve asset.
    function _requireReservesCover(uint256 supplyAfterMint, uint8 tokenDecimals) internal view {
        if (address(sequencerUptimeFeed) != address(0)) {
            ReserveGuard.requireSequencerUp(sequencerUptimeFeed, sequencerGracePeriodSeconds);
        }
        // Without this, any number of tokens could mint against one subject's reserves.
        if (reserveRegistry.subjectToken(reserveSubjectId) != address(this)) {
            revert NotSubjectToken(reserveSubjectId, address(this));
        }
        (uint256 reservesWad, , , bool fresh) = reserveRegistry.collateralization(reserveSubjectId);
        if (!fresh) {
            ReserveGuard.requireNotDisputed(reserveRegistry, reserveSubjectId);
            revert StaleReserves(reserveSubjectId);
        }
        uint256 supplyAfterMintWad = DecimalScaling.toWad(supplyAfterMint, tokenDecimals);
        if (supplyAfterMintWad > reservesWad) revert InsufficientReserves(supplyAfterMintWad, reservesWad);
    }
}
