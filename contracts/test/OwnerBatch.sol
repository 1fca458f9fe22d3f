// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title OwnerBatch
/// @notice Test-only smart-account stand-in: owns registry subjects and runs several calls in one
/// transaction, the way an issuer's contract (or a Safe's MultiSend) can. Attack tests use it to check
/// that no sequence of owner calls inside one transaction reopens what the registry froze.
contract OwnerBatch {
    /// @notice One call of a batch.
    struct Call {
        address target;
        bytes data;
    }

    /// @notice Call `index` of the batch reverted with `reason`; the whole batch was undone.
    error CallFailed(uint256 index, bytes reason);

    /// @notice Runs `calls` in order; reverts CallFailed with the first failing call's revert data.
    function execute(Call[] calldata calls) external {
        for (uint256 i = 0; i < calls.length; ++i) {
            // solhint-disable-next-line avoid-low-level-calls
            (bool ok, bytes memory reason) = calls[i].target.call(calls[i].data);
            if (!ok) revert CallFailed(i, reason);
        }
    }
}
