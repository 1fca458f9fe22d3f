// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BackingRatio
/// @notice The one collateralization formula: reserves / supply with 18 decimals (1e18 = fully
/// backed), shared by the registry and the ratio feed so that they can never disagree.
library BackingRatio {
    uint256 internal constant WAD = 1e18;

    /// @notice reserves * 1e18 / supply, rounded down, both in the same unit. type(uint256).max when
    /// supply is 0 (nothing to back) or the ratio does not fit: saturates instead of panicking.
    function ratioWad(uint256 reserves, uint256 supply) internal pure returns (uint256) {
        if (supply == 0) return type(uint256).max;
        // reserves / supply < max / WAD implies reserves * WAD / supply < max: mulDiv cannot overflow.
        if (reserves / supply >= type(uint256).max / WAD) return type(uint256).max;
        return Math.mulDiv(reserves, WAD, supply);
    }
}
