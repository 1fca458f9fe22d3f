// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IReserveRegistry} from "../interfaces/IReserveRegistry.sol";
import {ReserveGuard} from "../libraries/ReserveGuard.sol";
import {GuardedLendingPool} from "./GuardedLendingPool.sol";

/// @title L2GuardedLendingPool
/// @notice Test-only GuardedLendingPool for a rollup: `deposit` and `borrow` check backing with
/// ReserveGuard's L2 variant, which first requires Chainlink's sequencer uptime feed to report the
/// sequencer up for at least the grace period. `withdraw` stays ungated.
contract L2GuardedLendingPool is GuardedLendingPool {
    /// @notice Chainlink's L2 sequencer uptime feed.
    AggregatorV3Interface public immutable sequencerUptimeFeed;

    /// @notice How long the sequencer must have been back up, in seconds.
    uint256 public immutable gracePeriodSeconds;

    /// @param collateralToken_ The reserve-backed token accepted as collateral.
    /// @param registry_ The registry holding the collateral's reserve subject.
    /// @param subjectId_ The registry subject whose reserves back the collateral.
    /// @param minRatioWad_ Lowest acceptable collateralization ratio.
    /// @param maxAgeSeconds_ Oldest acceptable reserve data, in seconds.
    /// @param sequencerUptimeFeed_ Chainlink's L2 sequencer uptime feed.
    /// @param gracePeriodSeconds_ How long the sequencer must have been back up, in seconds.
    constructor(
        IERC20 collateralToken_,
        IReserveRegistry registry_,
        bytes32 subjectId_,
        uint256 minRatioWad_,
        uint256 maxAgeSeconds_,
        AggregatorV3Interface sequencerUptimeFeed_,
        uint256 gracePeriodSeconds_
    ) GuardedLendingPool(collateralToken_, registry_, subjectId_, minRatioWad_, maxAgeSeconds_) {
        sequencerUptimeFeed = sequencerUptimeFeed_;
        gracePeriodSeconds = gracePeriodSeconds_;
    }

    /// @dev ReserveGuard's L2 variant.
    function _requireBacked() internal view override {
        ReserveGuard.requireBacked(
            registry,
            subjectId,
            minRatioWad,
            maxAgeSeconds,
            sequencerUptimeFeed,
            gracePeriodSeconds
        );
    }
}
