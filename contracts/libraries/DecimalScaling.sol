// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title DecimalScaling
/// @notice Converts fixed-point amounts between decimal precisions, rounding down, so amounts in
/// different units (a 6-decimal token, 8-decimal reserves) compare in one unit (18 decimals, "wad").
library DecimalScaling {
    uint8 internal constant WAD_DECIMALS = 18;

    uint8 private constant _MAX_EXPONENT = 77;

    /// @notice `amount` with `fromDecimals` cannot be expressed with `toDecimals` in 256 bits.
    error DecimalScalingOverflow(uint256 amount, uint8 fromDecimals, uint8 toDecimals);

    /// @notice `amount` with `fromDecimals` expressed with `toDecimals`, rounded down. Reverts
    /// DecimalScalingOverflow rather than panicking when the result does not fit in 256 bits, for any
    /// precisions (a token may answer any uint8 from decimals(), and change it).
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
        if (fromDecimals == toDecimals || amount == 0) return (true, amount);
        // 10^77 is the largest power of ten in 256 bits: beyond it every amount scales to 0 or overflows.
        if (fromDecimals > toDecimals) {
            uint8 down = fromDecimals - toDecimals;
            return (true, down > _MAX_EXPONENT ? 0 : amount / 10 ** down);
        }
        uint8 up = toDecimals - fromDecimals;
        if (up > _MAX_EXPONENT) return (false, 0);
        uint256 factor = 10 ** up;
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
