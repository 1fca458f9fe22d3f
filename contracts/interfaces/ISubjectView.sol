// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReserveRegistry} from "./IReserveRegistry.sol";

/// @title ISubjectView
/// @notice A read-only adapter presenting one registry subject in another interface.
interface ISubjectView {
    /// @notice The registry this adapter reads.
    function registry() external view returns (IReserveRegistry);

    /// @notice The registry subject this adapter reads.
    function subjectId() external view returns (bytes32);
}
