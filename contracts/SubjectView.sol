// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {ISubjectView} from "./interfaces/ISubjectView.sol";

/// @title SubjectView
/// @notice Base of the read-only adapters (feeds, address list) that present one registry subject
/// in another interface. They hold no state of their own, so they can never disagree with the registry.
abstract contract SubjectView is ISubjectView {
    /// @inheritdoc ISubjectView
    IReserveRegistry public immutable registry;

    /// @inheritdoc ISubjectView
    bytes32 public immutable subjectId;

    /// @dev Reverts with the registry's UnknownSubject for an unregistered subject, so an adapter
    /// can never be deployed for a typo.
    constructor(IReserveRegistry registry_, bytes32 subjectId_) {
        registry_.subject(subjectId_);
        registry = registry_;
        subjectId = subjectId_;
    }

    /// @dev The subject's name, for descriptions.
    function _subjectName() internal view returns (string memory) {
        (IReserveRegistry.SubjectConfig memory config, ) = registry.subject(subjectId);
        return config.name;
    }
}
