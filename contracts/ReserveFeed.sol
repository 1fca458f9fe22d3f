// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveFeed} from "./interfaces/IReserveFeed.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {SubjectView} from "./SubjectView.sol";

/// @title ReserveFeed
/// @notice Read-only AggregatorV3 view of one registry subject's attested reserves. Holds no state
/// of its own, so it can never disagree with the registry. See IReserveFeed.
contract ReserveFeed is IReserveFeed, SubjectView {
    /// @notice Version of this feed's semantics, as AggregatorV3 consumers expect.
    // solhint-disable-next-line const-name-snakecase
    uint256 public constant version = 1;

    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectView(registry_, subjectId_) {}

    /// @inheritdoc AggregatorV3Interface
    function decimals() external view returns (uint8) {
        (IReserveRegistry.SubjectConfig memory config, ) = registry.subject(subjectId);
        return config.decimals;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return string.concat(_subjectName(), " reserves");
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(
        uint80 roundId
    )
        external
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId == 0 || roundId > registry.latestRoundId(subjectId)) revert RoundNotAvailable(roundId);
        return _round(roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        roundId = registry.latestRoundId(subjectId);
        if (roundId == 0) revert RoundNotAvailable(0);
        return _round(roundId);
    }

    function _round(
        uint80 roundId
    )
        private
        view
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (IReserveRegistry.Attestation memory att, ) = registry.getAttestation(subjectId, roundId);
        return (roundId, SafeCast.toInt256(att.reserves), att.asOf, att.asOf, roundId);
    }
}
