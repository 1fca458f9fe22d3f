// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title FeedRounds
/// @notice How feeds number their rounds so that a round id never answers two different values.
///
/// An attested round keeps the registry's id (1, 2, 3…): its answer is a function of signed figures
/// that never change. A live reading (wallet balances, a token's supply) can change in every block, so
/// it gets the id LIVE_FLAG | block.number, which names one block and is only answered in that
/// block. Registry round ids stay below 2^64 (each needs a later `asOf`, a uint64 no later than the
/// block), and block numbers stay below 2^64, so live ids can collide neither with attested ids nor
/// with each other. Within one block a live reading taken twice may differ if a transfer happened in
/// between; across blocks an id is never reused, on chains whose block.number is their own block
/// number (on Arbitrum it is an approximate L1 block number, shared by many L2 blocks).
library FeedRounds {
    /// @notice Bit 64, set on every live round id.
    uint80 internal constant LIVE_FLAG = uint80(1) << 64;

    /// @notice The id of a live reading in the current block.
    function live() internal view returns (uint80) {
        return LIVE_FLAG | uint80(block.number);
    }

    /// @notice Whether `roundId` names a live reading (of some block) rather than an attested round.
    function isLive(uint256 roundId) internal pure returns (bool) {
        return roundId & LIVE_FLAG != 0;
    }
}
