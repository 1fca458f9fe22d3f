// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IReserveRegistry} from "../interfaces/IReserveRegistry.sol";

/// @title ReserveGuard
/// @notice Backing check for protocols to call inline, at the point of use (mint, borrow, accept as
/// collateral). A keeper that freezes a market after the fact loses the race to an attacker who
/// mints and borrows in one block; an inline check cannot be raced.
/// @dev On a rollup, also check Chainlink's L2 sequencer uptime feed (the `requireBacked` variant
/// taking one, or `requireSequencerUp`): while the sequencer is down only users who can force
/// transactions through L1 can act, and right after it comes back the backlog lands at once.
/// Semantics follow Chainlink's "L2 Sequencer Uptime Feeds"
/// (https://docs.chain.link/data-feeds/l2-sequencer-feeds): answer 0 = up, 1 = down; `startedAt` =
/// when the status last changed; `startedAt` 0 = the feed is not initialized (Arbitrum, before its
/// first round).
library ReserveGuard {
    /// @notice The subject's reserves cover less than `minRatioWad` of its supply.
    error Undercollateralized(uint256 ratioWad, uint256 minRatioWad);

    /// @notice The data behind the ratio is `age` seconds old, more than `maxAgeSeconds`.
    error ReservesTooOld(uint256 age, uint256 maxAgeSeconds);

    /// @notice The registry does not call `subjectId`'s backing fresh: an attested side is older than
    /// the subject's heartbeat, or its live reserves are in a revoked reserve asset.
    error ReservesNotFresh(bytes32 subjectId);

    /// @notice A customer's challenge of the subject's latest round went unanswered: the round is
    /// disputed (LiabilityChallenges), and no figure of it counts until a new round is posted.
    error ReservesDisputed(bytes32 subjectId, uint80 roundId);

    /// @notice The L2 sequencer uptime feed reports the sequencer down (any answer other than 0).
    error SequencerDown();

    /// @notice The sequencer came back up `since` seconds ago, less than the `grace` period.
    /// @param since Seconds since the sequencer came back up: block.timestamp - startedAt, or 0 if the
    /// feed's `startedAt` is after the current block's timestamp.
    /// @param grace The grace period required after the sequencer comes back up, in seconds.
    error GracePeriodNotOver(uint256 since, uint256 grace);

    /// @notice The L2 sequencer uptime feed is not initialized (its latest round has `startedAt` 0),
    /// so it says nothing about the sequencer.
    error SequencerStatusUnknown();

    /// @notice Reverts unless `subjectId` is backed at `minRatioWad` (1e18 = reserves equal supply;
    /// below 1e18 is a tolerance margin, e.g. for rebasing tokens) by data at most `maxAgeSeconds` old.
    /// Data that was never attested counts as infinitely old; data the registry does not call fresh
    /// (older than the subject's own heartbeat, or reserves in a revoked asset) is refused whatever
    /// `maxAgeSeconds` allows.
    function requireBacked(
        IReserveRegistry registry,
        bytes32 subjectId,
        uint256 minRatioWad,
        uint256 maxAgeSeconds
    ) internal view {
        (uint80 roundId, uint64 updatedAt) = registry.collateralizationRound(subjectId);
        // The registry dates a disputed subject's reading 0: say so rather than "too old".
        if (roundId != 0 && updatedAt == 0)
            revert ReservesDisputed(subjectId, registry.latestRoundId(subjectId));
        uint256 age = roundId == 0 ? type(uint256).max : block.timestamp - updatedAt;
        if (age > maxAgeSeconds) revert ReservesTooOld(age, maxAgeSeconds);
        (, , uint256 ratioWad, bool fresh) = registry.collateralization(subjectId);
        if (!fresh) {
            requireNotDisputed(registry, subjectId);
            revert ReservesNotFresh(subjectId);
        }
        if (ratioWad < minRatioWad) revert Undercollateralized(ratioWad, minRatioWad);
    }

    /// @notice Reverts with ReservesDisputed if `subjectId`'s latest round counts as disputed (its
    /// snapshot is not after the subject's last settled dispute: the registry then dates its reading
    /// 0). Called by the checks here (and SecureMint) once the figures are refused, to name the reason.
    function requireNotDisputed(IReserveRegistry registry, bytes32 subjectId) internal view {
        (uint80 roundId, uint64 updatedAt) = registry.collateralizationRound(subjectId);
        if (roundId != 0 && updatedAt == 0)
            revert ReservesDisputed(subjectId, registry.latestRoundId(subjectId));
    }

    /// @notice The L2 variant: reverts unless the sequencer is up and has been for at least
    /// `gracePeriodSeconds` (see `requireSequencerUp`), then applies the same backing checks as the
    /// variant without a sequencer feed.
    function requireBacked(
        IReserveRegistry registry,
        bytes32 subjectId,
        uint256 minRatioWad,
        uint256 maxAgeSeconds,
        AggregatorV3Interface sequencerUptimeFeed,
        uint256 gracePeriodSeconds
    ) internal view {
        requireSequencerUp(sequencerUptimeFeed, gracePeriodSeconds);
        requireBacked(registry, subjectId, minRatioWad, maxAgeSeconds);
    }

    /// @notice Reverts unless Chainlink's L2 sequencer uptime feed `sequencerUptimeFeed` reports the
    /// sequencer up since at least `gracePeriodSeconds` ago, as in Chainlink's consumer example
    /// (https://docs.chain.link/data-feeds/l2-sequencer-feeds, "Example Consumer Contract"), checked
    /// in this order:
    /// - `startedAt` 0: the feed is not initialized (Chainlink: only on Arbitrum, before the uptime
    ///   contract's first round; its answer then reads 0, "up", and must not be trusted), so
    ///   SequencerStatusUnknown.
    /// - answer other than 0 (1 = down): SequencerDown.
    /// - block.timestamp - startedAt < gracePeriodSeconds: GracePeriodNotOver(since, grace). The docs
    ///   say to revert "if the result is less than the GRACE_PERIOD_TIME", so a sequencer up for
    ///   exactly the grace period passes (their sample code's `<=` refuses that one second too).
    ///   A `startedAt` after the current block (an L1 timestamp ahead of the L2 clock) counts as
    ///   just changed: since = 0.
    /// @param sequencerUptimeFeed The chain's sequencer uptime feed proxy (Chainlink's address list is
    /// on the page above).
    /// @param gracePeriodSeconds How long the sequencer must have been back up, in seconds (Chainlink's
    /// example uses 3600).
    function requireSequencerUp(
        AggregatorV3Interface sequencerUptimeFeed,
        uint256 gracePeriodSeconds
    ) internal view {
        (, int256 answer, uint256 startedAt, , ) = sequencerUptimeFeed.latestRoundData();
        if (startedAt == 0) revert SequencerStatusUnknown();
        if (answer != 0) revert SequencerDown();
        uint256 since = block.timestamp > startedAt ? block.timestamp - startedAt : 0;
        if (since < gracePeriodSeconds) revert GracePeriodNotOver(since, gracePeriodSeconds);
    }
}
