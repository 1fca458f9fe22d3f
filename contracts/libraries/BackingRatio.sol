// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title BackingRatio
/// @notice The one collateralization formula: reserves / supply with 18 decimals (1e18 = fully
/// backed), shared by the registry and the ratio feed so that they can never disagree.
library BackingRatio {
    uint256 internal constant WAD = 1e18;

    /// @notice reserves * 1e18 / supply, rounded down, both in the same unit. type(uint256).max when
    /// supply is 0 (nothing to back) or the exact ratio does not fit: saturates instead of panicking.
    function ratioWad(uint256 reserves, uint256 supply) internal pure returns (uint256) {
        if (supply == 0) return type(uint256).max;
        // reserves * WAD / supply split as whole * WAD + rest * WAD / supply, exact, so that only a
        // ratio that truly exceeds 256 bits saturates. rest < supply, so mulDiv cannot overflow.
        (bool fits, uint256 wholeWad) = Math.tryMul(reserves / supply, WAD);
        if (!fits) return type(uint256).max;
        (bool sumFits, uint256 ratio) = Math.tryAdd(wholeWad, Math.mulDiv(reserves % supply, WAD, supply));
        return sumFits ? ratio : type(uint256).max;
    }
}
