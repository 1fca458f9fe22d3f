// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title SequencerUptimeFeedMock
/// @notice Test-only stand-in for Chainlink's L2 sequencer uptime feed, with its documented semantics
/// (https://docs.chain.link/data-feeds/l2-sequencer-feeds) and the round keeping of Chainlink's
/// BaseSequencerUptimeFeed, minus the L1 sender check: anyone may update it.
/// - A new feed is not initialized, like Arbitrum's before `initialize()`: latestRoundData is all
///   zeros (round 0, answer 0, startedAt 0). `initialize` records round 1 at the current block.
/// - answer 0 = sequencer up, 1 = down; `startedAt` = when the status changed (the L1 timestamp the
///   status message carries); `updatedAt` = when the feed last heard the status on L2.
/// - `updateStatus` with a new status opens round n + 1 at `timestamp`; with the same status it only
///   refreshes `updatedAt`; with a `timestamp` before the latest `startedAt` it is ignored.
contract SequencerUptimeFeedMock is AggregatorV3Interface {
    struct Round {
        uint64 startedAt;
        uint64 updatedAt;
        bool down;
    }

    uint80 private _latestRoundId;
    mapping(uint80 roundId => Round) private _rounds;

    /// @notice The feed already has rounds.
    error AlreadyInitialized();

    /// @notice The feed has no round yet (call `initialize`).
    error NotInitialized();

    /// @notice `roundId` is not a round of this feed (Chainlink's "No data present").
    /// @param roundId The round asked for.
    error NoDataPresent(uint80 roundId);

    /// @notice Round `roundId` opened with status `answer` (0 up, 1 down), changed at `startedAt`.
    event NewRound(uint80 indexed roundId, int256 answer, uint256 startedAt);

    /// @notice The latest round's status was heard again at `updatedAt`.
    event RoundUpdated(uint80 indexed roundId, uint256 updatedAt);

    /// @notice An update older than the latest round's `startedAt` was ignored.
    event UpdateIgnored(bool latestDown, uint64 latestStartedAt, bool incomingDown, uint64 incomingTimestamp);

    /// @notice Opens round 1 with status `down` at the current block's timestamp, as Arbitrum's
    /// `initialize()` and the other chains' constructors do.
    /// @param down True if the sequencer is down.
    function initialize(bool down) external {
        if (_latestRoundId != 0) revert AlreadyInitialized();
        _recordRound(1, down, uint64(block.timestamp));
    }

    /// @notice Records status `down` as of L1 time `timestamp`, as Chainlink's `updateStatus`.
    /// @param down True if the sequencer is down.
    /// @param timestamp When the status changed (becomes the new round's startedAt).
    function updateStatus(bool down, uint64 timestamp) external {
        uint80 roundId = _latestRoundId;
        if (roundId == 0) revert NotInitialized();
        Round storage latest = _rounds[roundId];
        if (latest.startedAt > timestamp) {
            emit UpdateIgnored(latest.down, latest.startedAt, down, timestamp);
        } else if (latest.down == down) {
            latest.updatedAt = uint64(block.timestamp);
            emit RoundUpdated(roundId, block.timestamp);
        } else {
            _recordRound(roundId + 1, down, timestamp);
        }
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return 0;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "L2 Sequencer Uptime Status Feed";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId == 0 || roundId > _latestRoundId) revert NoDataPresent(roundId);
        return _roundData(roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return _roundData(_latestRoundId);
    }

    function _recordRound(uint80 roundId, bool down, uint64 startedAt) private {
        _rounds[roundId] = Round(startedAt, uint64(block.timestamp), down);
        _latestRoundId = roundId;
        emit NewRound(roundId, down ? int256(1) : int256(0), startedAt);
    }

    function _roundData(uint80 roundId) private view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory round = _rounds[roundId];
        return (roundId, round.down ? int256(1) : int256(0), round.startedAt, round.updatedAt, roundId);
    }
}
