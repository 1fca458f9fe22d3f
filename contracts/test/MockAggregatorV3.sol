// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title MockAggregatorV3
/// @notice Test-only AggregatorV3 feed whose latest round is set directly, to drive a consumer
/// through answers ReserveFeed never gives (negative answers, incomplete rounds).
contract MockAggregatorV3 is AggregatorV3Interface {
    struct RoundData {
        uint80 roundId;
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
        uint80 answeredInRound;
    }

    RoundData private _latest;

    /// @notice Makes the given values the latest round.
    /// @param roundId Round id.
    /// @param answer Answer.
    /// @param updatedAt Update time; also used as startedAt.
    /// @param answeredInRound Round the answer was computed in.
    function setLatestRound(
        uint80 roundId,
        int256 answer,
        uint256 updatedAt,
        uint80 answeredInRound
    ) external {
        _latest = RoundData(roundId, answer, updatedAt, updatedAt, answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return 6;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "mock reserves";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80) external view returns (uint80, int256, uint256, uint256, uint80) {
        return _unpack();
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return _unpack();
    }

    function _unpack() private view returns (uint80, int256, uint256, uint256, uint80) {
        RoundData memory r = _latest;
        return (r.roundId, r.answer, r.startedAt, r.updatedAt, r.answeredInRound);
    }
}
