// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title LendingPoolConsumer
/// @notice Test-only consumer that reads a reserves feed through AggregatorV3Interface only, the way
/// a lending protocol gates minting or borrowing on attested reserves. It knows nothing of the
/// registry, so it proves the feed works for unmodified Chainlink integrations.
contract LendingPoolConsumer {
    /// @notice The reserves feed read.
    AggregatorV3Interface public immutable feed;

    /// @notice Oldest acceptable `updatedAt`, in seconds before the current block.
    uint256 public immutable maxAgeSeconds;

    /// @notice Total borrowed so far, in the feed's decimals.
    uint256 public totalBorrowed;

    /// @notice The feed's latest round was updated more than `maxAgeSeconds` ago.
    /// @param updatedAt The round's update time (the attestation's snapshot time).
    /// @param maxAgeSeconds The consumer's maximum age.
    error StaleReserves(uint256 updatedAt, uint256 maxAgeSeconds);

    /// @notice The feed reported zero or negative reserves.
    /// @param answer The reported answer.
    error NonPositiveReserves(int256 answer);

    /// @notice The feed's latest answer was computed in an earlier round than the one reported.
    /// @param roundId The reported round.
    /// @param answeredInRound The round the answer was computed in.
    error IncompleteRound(uint80 roundId, uint80 answeredInRound);

    /// @notice Borrowing `amount` more would take the total above the attested `reserves`.
    /// @param amount The amount requested.
    /// @param totalBorrowed The total already borrowed.
    /// @param reserves The attested reserves.
    error InsufficientReserves(uint256 amount, uint256 totalBorrowed, uint256 reserves);

    /// @notice `borrower` borrowed `amount` against attested `reserves`.
    event Borrowed(address indexed borrower, uint256 amount, uint256 reserves);

    /// @param feed_ The reserves feed.
    /// @param maxAgeSeconds_ Oldest acceptable `updatedAt`, in seconds before the current block.
    constructor(AggregatorV3Interface feed_, uint256 maxAgeSeconds_) {
        feed = feed_;
        maxAgeSeconds = maxAgeSeconds_;
    }

    /// @notice The feed's latest reserves, after the staleness, sign and completeness checks a
    /// careful Chainlink consumer makes.
    /// @return The reserves in the feed's decimals.
    function reserves() public view returns (uint256) {
        (uint80 roundId, int256 answer, , uint256 updatedAt, uint80 answeredInRound) = feed.latestRoundData();
        if (block.timestamp - updatedAt > maxAgeSeconds) revert StaleReserves(updatedAt, maxAgeSeconds);
        if (answer <= 0) revert NonPositiveReserves(answer);
        if (answeredInRound < roundId) revert IncompleteRound(roundId, answeredInRound);
        return uint256(answer);
    }

    /// @notice Records a borrow of `amount`, allowed only while total borrowed stays within reserves.
    /// @param amount Amount in the feed's decimals.
    function borrow(uint256 amount) external {
        uint256 currentReserves = reserves();
        if (totalBorrowed + amount > currentReserves) {
            revert InsufficientReserves(amount, totalBorrowed, currentReserves);
        }
        totalBorrowed += amount;
        emit Borrowed(msg.sender, amount, currentReserves);
    }
}
