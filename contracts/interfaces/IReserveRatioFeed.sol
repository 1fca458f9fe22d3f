// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "./AggregatorV2V3Interface.sol";
import {ISubjectView} from "./ISubjectView.sol";

/// @title IReserveRatioFeed
/// @notice A subject's collateralization ratio (reserves / supply, 18 decimals: 1e18 = fully backed)
/// as a Chainlink feed, so a protocol that reads price feeds reads backing the same way.
///
/// Rounds follow IReserveRegistry.collateralizationRound():
/// - Both sides attested (no token, no reserve wallet ever): roundId = the registry round, answer =
///   the ratio of that round's signed reserves and liabilities, updatedAt = startedAt = its asOf.
///   getRoundData answers any past attested round the same way, forever (updatedAt becomes 0 once
///   the round is disputed).
/// - Any side live (a token's supply, reserve wallets): the ratio can change in every block, so
///   roundId = FeedRounds.live() (names the current block, answered in that block only) and
///   updatedAt = the older side's time: the latest round's asOf when the other side is attested,
///   block.timestamp when both are live. For a subject with a token, attested round ids hold no
///   ratio (their liabilities are not the supply): getRoundData answers them with zeros.
///
/// Never reverts: where no answer exists (a side that must be attested has no round yet, an unknown
/// or past live round id, a reading that cannot be represented) every field is 0, except that
/// getRoundData echoes the requested id. A ratio above int256's range (supply 0) is type(int256).max.
interface IReserveRatioFeed is AggregatorV2V3Interface, ISubjectView {}
