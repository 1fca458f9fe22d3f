// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DecimalScaling
/// @notice Converts fixed-point amounts between decimal precisions, rounding down, so amounts in
/// different units (a 6-decimal token, 8-decimal reserves) compare in one unit (18 decimals, "wad").
library DecimalScaling {
    uint8 internal constant WAD_DECIMALS = 18;

    /// @notice `amount` with `fromDecimals` expressed with `toDecimals`, rounded down. Reverts
    /// (checked arithmetic) only if the result does not fit in 256 bits.
    function rescale(uint256 amount, uint8 fromDecimals, uint8 toDecimals) internal pure returns (uint256) {
        if (fromDecimals == toDecimals) return amount;
        if (fromDecimals < toDecimals) return amount * 10 ** (toDecimals - fromDecimals);
        return amount / 10 ** (fromDecimals - toDecimals);
    }

    /// @notice `amount` with `decimals` expressed with 18 decimals.
    function toWad(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        return rescale(amount, decimals, WAD_DECIMALS);
    }
}
