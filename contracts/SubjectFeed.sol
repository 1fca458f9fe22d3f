// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "./interfaces/AggregatorV2V3Interface.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {FeedRounds} from "./libraries/FeedRounds.sol";
import {SubjectView} from "./SubjectView.sol";

/// @title SubjectFeed
/// @notice Base of the registry's Chainlink feeds: every getter of AggregatorV3Interface and the older
/// AggregatorInterface, derived from two readings a feed defines (its latest answer, and the answer
/// of an attested round), with the round numbering of FeedRounds. No getter reverts: consumers such
/// as Aave's Proof-of-Reserve loop over many feeds without try/catch, so one feed that reverts would
/// blind them to every other asset.
abstract contract SubjectFeed is AggregatorV2V3Interface, SubjectView {
    /// @notice Version of the feeds' semantics, as AggregatorV3 consumers expect.
    // solhint-disable-next-line const-name-snakecase
    uint256 public constant version = 2;

    /// @dev The subject's decimals, frozen in the registry (DecimalsFrozen), so read once: reading them
    /// per call would copy the whole config, whose name and auditor list the subject owner sizes.
    uint8 internal immutable _subjectDecimals;

    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectView(registry_, subjectId_) {
        (IReserveRegistry.SubjectConfig memory config, ) = registry_.subject(subjectId_);
        _subjectDecimals = config.decimals;
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (roundId, answer, updatedAt) = _latest();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (answer, updatedAt) = _answerOf(roundId);
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV2V3Interface
    function latestAnswer() external view returns (int256 answer) {
        (, answer, ) = _latest();
    }

    /// @inheritdoc AggregatorV2V3Interface
    function latestTimestamp() external view returns (uint256 updatedAt) {
        (, , updatedAt) = _latest();
    }

    /// @inheritdoc AggregatorV2V3Interface
    function latestRound() external view returns (uint256 roundId) {
        (roundId, , ) = _latest();
    }

    /// @inheritdoc AggregatorV2V3Interface
    function getAnswer(uint256 roundId) external view returns (int256 answer) {
        if (roundId <= type(uint80).max) (answer, ) = _answerOf(uint80(roundId));
    }

    /// @inheritdoc AggregatorV2V3Interface
    function getTimestamp(uint256 roundId) external view returns (uint256 updatedAt) {
        if (roundId <= type(uint80).max) (, updatedAt) = _answerOf(uint80(roundId));
    }

    /// @dev The current answer and its round; (0, 0, 0) when there is none.
    function _latest() internal view virtual returns (uint80 roundId, int256 answer, uint256 updatedAt);

    /// @dev The answer of attested round `roundId` (not live, not 0); (0, 0) when it holds none.
    function _attestedAnswer(uint80 roundId) internal view virtual returns (int256 answer, uint256 updatedAt);

    /// @dev A live id is answered only while it is the current one; anything else names a registry round.
    function _answerOf(uint80 roundId) private view returns (int256 answer, uint256 updatedAt) {
        if (roundId == 0) return (0, 0);
        if (!FeedRounds.isLive(roundId)) return _attestedAnswer(roundId);
        (uint80 current, int256 currentAnswer, uint256 currentUpdatedAt) = _latest();
        if (roundId == current) return (currentAnswer, currentUpdatedAt);
    }

    /// @dev A round's update time: its asOf, or 0 while it reads as disputed (its own challenge went
    /// unanswered, or it is the latest round of a disputed subject), so every getter of the latest
    /// round agrees with latestRoundData.
    function _attestedAt(uint80 roundId, uint64 asOf) internal view returns (uint256) {
        return registry.readsAsDisputed(subjectId, roundId) ? 0 : asOf;
    }

    /// @dev `amount` as an answer, saturated at int256's maximum instead of reverting.
    function _toAnswer(uint256 amount) internal pure returns (int256) {
        return amount > uint256(type(int256).max) ? type(int256).max : int256(amount);
    }
}
