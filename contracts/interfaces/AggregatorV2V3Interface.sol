// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @notice Chainlink's older read interface (AggregatorInterface: `latestAnswer`, `latestTimestamp`,
/// `latestRound`, `getAnswer`, `getTimestamp`) together with AggregatorV3Interface, as Chainlink's
/// AggregatorV2V3Interface combines them. Declared here with the canonical signatures so that
/// consumers written against either (Aave's AggregatorInterface among them) read por-registry feeds.
/// Where no answer exists, every getter returns 0 instead of reverting, as Chainlink's OCR
/// aggregators do.
// solhint-disable-next-line interface-starts-with-i
interface AggregatorV2V3Interface is AggregatorV3Interface {
    /// @notice The latest answer (latestRoundData's `answer`), 0 if none.
    function latestAnswer() external view returns (int256);

    /// @notice The latest answer's `updatedAt`, 0 if none.
    function latestTimestamp() external view returns (uint256);

    /// @notice The latest round id, 0 if none.
    function latestRound() external view returns (uint256);

    /// @notice Round `roundId`'s answer, 0 where it holds none.
    function getAnswer(uint256 roundId) external view returns (int256);

    /// @notice Round `roundId`'s `updatedAt`, 0 where it holds no answer.
    function getTimestamp(uint256 roundId) external view returns (uint256);
}
