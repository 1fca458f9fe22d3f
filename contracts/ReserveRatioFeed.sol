// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveRatioFeed} from "./interfaces/IReserveRatioFeed.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {BackingRatio} from "./libraries/BackingRatio.sol";
import {DecimalScaling} from "./libraries/DecimalScaling.sol";
import {SubjectFeed} from "./SubjectFeed.sol";

/// @title ReserveRatioFeed
/// @notice Chainlink view of a registry subject's collateralization ratio. See IReserveRatioFeed.
contract ReserveRatioFeed is IReserveRatioFeed, SubjectFeed {
    uint8 private constant _RATIO_DECIMALS = 18;

    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectFeed(registry_, subjectId_) {}

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return _RATIO_DECIMALS;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return string.concat(_subjectName(), " reserve ratio");
    }

    function _latest() internal view override returns (uint80 roundId, int256 answer, uint256 updatedAt) {
        (uint80 id, uint64 at) = registry.collateralizationRound(subjectId);
        if (id == 0) return (0, 0, 0);
        // A reading the registry cannot represent answers nothing rather than reverting.
        try registry.collateralization(subjectId) returns (uint256, uint256, uint256 ratioWad, bool) {
            return (id, _toAnswer(ratioWad), at);
        } catch {}
    }

    function _attestedAnswer(
        uint80 roundId
    ) internal view override returns (int256 answer, uint256 updatedAt) {
        // With a token the ratio's supply is live; a round's signed liabilities are not that ratio.
        if (registry.subjectToken(subjectId) != address(0)) return (0, 0);
        try registry.getAttestation(subjectId, roundId) returns (
            IReserveRegistry.Attestation memory att,
            uint64
        ) {
            // The formula of collateralization(), so the round answers what it answered when latest.
            uint256 ratioWad = BackingRatio.ratioWad(
                DecimalScaling.toWad(att.reserves, _subjectDecimals),
                DecimalScaling.toWad(att.liabilities, _subjectDecimals)
            );
            return (_toAnswer(ratioWad), _attestedAt(roundId, att.asOf));
        } catch {}
    }
}
