// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ISubjectView} from "./ISubjectView.sol";

/// @title IReserveFeed
/// @notice A registry subject's attested reserves as a Chainlink AggregatorV3 feed: roundId is the
/// registry round, answer the reserves (subject decimals), startedAt = updatedAt = the snapshot time
/// `asOf` (not the posting time, so staleness checks measure the age of the data itself), and
/// answeredInRound = roundId. Consumers must still check `updatedAt` against their own heartbeat.
interface IReserveFeed is AggregatorV3Interface, ISubjectView {
    /// @notice Round `roundId` does not exist (0 from latestRoundData before the first round).
    error RoundNotAvailable(uint80 roundId);
}
