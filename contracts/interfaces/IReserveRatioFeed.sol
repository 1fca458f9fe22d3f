// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ISubjectView} from "./ISubjectView.sol";

/// @title IReserveRatioFeed
/// @notice A subject's collateralization ratio (reserves / supply, 18 decimals: 1e18 = fully backed)
/// as a Chainlink AggregatorV3 feed, so a protocol that reads price feeds reads backing the same way.
///
/// Rounds: when any side of the ratio comes from an attestation, roundId is the registry's latest
/// round and updatedAt = startedAt = that round's asOf. When both sides are read live (reserve
/// wallets and a token), every block is a round: roundId = block.number, updatedAt = block.timestamp.
/// The ratio is computed on read, so only the current round is available: getRoundData of any
/// other roundId reverts. A ratio above int256's range (supply 0) is reported as type(int256).max.
interface IReserveRatioFeed is AggregatorV3Interface, ISubjectView {
    /// @notice `roundId` is not the current round (or, with 0, no round exists yet).
    error RoundNotAvailable(uint80 roundId);
}
