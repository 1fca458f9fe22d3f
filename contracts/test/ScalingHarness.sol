// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {BackingRatio} from "../libraries/BackingRatio.sol";
import {DecimalScaling} from "../libraries/DecimalScaling.sol";
import {FeedRounds} from "../libraries/FeedRounds.sol";

/// @title ScalingHarness
/// @notice Test-only: exposes the unit libraries (DecimalScaling, BackingRatio, FeedRounds) so
/// tests can check them against reference implementations for any input.
contract ScalingHarness {
    function rescale(uint256 amount, uint8 fromDecimals, uint8 toDecimals) external pure returns (uint256) {
        return DecimalScaling.rescale(amount, fromDecimals, toDecimals);
    }

    function tryRescale(
        uint256 amount,
        uint8 fromDecimals,
        uint8 toDecimals
    ) external pure returns (bool ok, uint256 result) {
        return DecimalScaling.tryRescale(amount, fromDecimals, toDecimals);
    }

    function ratioWad(uint256 reserves, uint256 supply) external pure returns (uint256) {
        return BackingRatio.ratioWad(reserves, supply);
    }

    function liveRoundId() external view returns (uint80) {
        return FeedRounds.live();
    }

    function isLive(uint256 roundId) external pure returns (bool) {
        return FeedRounds.isLive(roundId);
    }
}
