// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveRatioFeed} from "./interfaces/IReserveRatioFeed.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {SubjectView} from "./SubjectView.sol";

/// @title ReserveRatioFeed
/// @notice AggregatorV3 view of a registry subject's collateralization ratio. See IReserveRatioFeed.
contract ReserveRatioFeed is IReserveRatioFeed, SubjectView {
    // solhint-disable-next-line const-name-snakecase
    uint256 public constant version = 1;
    uint8 private constant _RATIO_DECIMALS = 18;

    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectView(registry_, subjectId_) {}

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return _RATIO_DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return string.concat(_subjectName(), " reserve ratio");
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint80 current, int256 ratio, uint256 asOf) = _current();
        if (roundId != current) revert RoundNotAvailable(roundId);
        return (current, ratio, asOf, asOf, current);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint80 current, int256 ratio, uint256 asOf) = _current();
        return (current, ratio, asOf, asOf, current);
    }

    function _current() private view returns (uint80 roundId, int256 ratio, uint256 updatedAt) {
        (roundId, updatedAt) = registry.collateralizationRound(subjectId);
        if (roundId == 0) revert RoundNotAvailable(0);
        (, , uint256 ratioWad, ) = registry.collateralization(subjectId);
        ratio = ratioWad > uint256(type(int256).max) ? type(int256).max : int256(ratioWad);
    }
}
