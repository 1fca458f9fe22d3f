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

    /// @notice Reverts unless `subjectId` is backed at `minRatioWad` (1e18 = reserves equal supply;
    /// below 1e18 is a tolerance margin, e.g. for rebasing tokens) by data at most `maxAgeSeconds` old.
    /// Data that was never attested counts as infinitely old.
    function requireBacked(
        IReserveRegistry registry,
        bytes32 subjectId,
        uint256 minRatioWad,
        uint256 maxAgeSeconds
    ) internal view {
        (uint80 roundId, uint64 updatedAt) = registry.collateralizationRound(subjectId);
        uint256 age = roundId == 0 ? type(uint256).max : block.timestamp - updatedAt;
        if (age > maxAgeSeconds) revert ReservesTooOld(age, maxAgeSeconds);
        (, , uint256 ratioWad, ) = registry.collateralization(subjectId);
        if (ratioWad < minRatioWad) revert Undercollateralized(ratioWad, minRatioWad);
    }
}
