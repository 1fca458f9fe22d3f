// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DecimalScaling
/// @notice Converts fixed-point amounts between decimal precisions, rounding down, so amounts in
/// different units (a 6-decimal token, 8-decimal reserves) compare in one unit (18 decimals, "wad").
library DecimalScaling {
    uint8 internal constant WAD_DECIMALS = 18;

    /// @notice `amount` with `fromDecimals` cannot be expressed with `toDecimals` in 256 bits.
    error DecimalScalingOverflow(uint256 amount, uint8 fromDecimals, uint8 toDecimals);

    /// @notice `amount` with `fromDecimals` expressed with `toDecimals`, rounded down. Both precisions
    /// are at most 77 (callers bound them far lower). Reverts DecimalScalingOverflow rather than
    /// panicking when the result does not fit in 256 bits.
    function rescale(uint256 amount, uint8 fromDecimals, uint8 toDecimals) internal pure returns (uint256) {
        (bool ok, uint256 result) = tryRescale(amount, fromDecimals, toDecimals);
        if (!ok) revert DecimalScalingOverflow(amount, fromDecimals, toDecimals);
        return result;
    }

    /// @notice As rescale, but returns (false, 0) instead of reverting on overflow.
    function tryRescale(
        uint256 amount,
        uint8 fromDecimals,
        uint8 toDecimals
    ) internal pure returns (bool ok, uint256 result) {
        if (fromDecimals == toDecimals) return (true, amount);
        if (fromDecimals > toDecimals) return (true, amount / 10 ** (fromDecimals - toDecimals));
        uint256 factor = 10 ** (toDecimals - fromDecimals);
        if (amount > type(uint256).max / factor) return (false, 0);
        // unchecked: amount <= max / factor, so amount * factor <= max.
        unchecked {
            return (true, amount * factor);
        }
    }

    /// @notice `amount` with `decimals` expressed with 18 decimals.
    function toWad(uint256 amount, uint8 decimals) internal pure returns (uint256) {
        return rescale(amount, decimals, WAD_DECIMALS);
    }
}
