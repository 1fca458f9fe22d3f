// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveFeed} from "./interfaces/IReserveFeed.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {SubjectFeed} from "./SubjectFeed.sol";

/// @title ReserveFeed
/// @notice Read-only Chainlink view of one registry subject's reserves: live wallet balances or the
/// attested figure, whichever collateralization() uses. Holds no state of its own, so it can never
/// disagree with the registry. See IReserveFeed.
contract ReserveFeed is IReserveFeed, SubjectFeed {
    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectFeed(registry_, subjectId_) {}

    /// @inheritdoc AggregatorV3Interface
    function decimals() external view returns (uint8) {
        return _subjectDecimals;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external view returns (string memory) {
        return string.concat(_subjectName(), " reserves");
    }

    function _latest() internal view override returns (uint80 roundId, int256 answer, uint256 updatedAt) {
        // A reading the registry cannot represent (balances summing past 2^256) answers nothing.
        try registry.reservesRound(subjectId) returns (uint80 id, uint256 reserves, uint64 at) {
            return (id, _toAnswer(reserves), at);
        } catch {}
    }

    function _attestedAnswer(
        uint80 roundId
    ) internal view override returns (int256 answer, uint256 updatedAt) {
        // getAttestation reverts RoundNotFound for a round that does not exist: no answer.
        try registry.getAttestation(subjectId, roundId) returns (
            IReserveRegistry.Attestation memory att,
            uint64
        ) {
            return (_toAnswer(att.reserves), _attestedAt(roundId, att.asOf));
        } catch {}
    }
}
