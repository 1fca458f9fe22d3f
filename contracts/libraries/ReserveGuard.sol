// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReserveRegistry} from "../interfaces/IReserveRegistry.sol";

/// @title ReserveGuard
/// @notice Backing check for protocols to call inline, at the point of use (mint, borrow, accept as
/// collateral). A keeper that freezes a market after the fact loses the race to an attacker who
/// mints and borrows in one block; an inline check cannot be raced.
library ReserveGuard {
    /// @notice The subject's reserves cover less than `minRatioWad` of its supply.
    error Undercollateralized(uint256 ratioWad, uint256 minRatioWad);

    /// @notice The data behind the ratio is `age` seconds old, more than `maxAgeSeconds`.
    error ReservesTooOld(uint256 age, uint256 maxAgeSeconds);

    /// @notice The registry does not call `subjectId`'s backing fresh: an attested side is older than
    /// the subject's heartbeat, or its live reserves are in a revoked reserve asset.
    error ReservesNotFresh(bytes32 subjectId);

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
        uint256 age = roundId == 0 ? type(uint256).max : block.timestamp - updatedAt;
        if (age > maxAgeSeconds) revert ReservesTooOld(age, maxAgeSeconds);
        (, , uint256 ratioWad, bool fresh) = registry.collateralization(subjectId);
        if (!fresh) revert ReservesNotFresh(subjectId);
        if (ratioWad < minRatioWad) revert Undercollateralized(ratioWad, minRatioWad);
    }
}
