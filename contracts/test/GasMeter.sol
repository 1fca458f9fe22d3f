// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title GasMeter
/// @notice Bench-only: the execution gas of a view call as a contract making it pays, free of the
/// transaction-level rules (21,000 base, calldata pricing and its EIP-7623 floor) that an
/// `eth_estimateGas` of the same call mixes in.
contract GasMeter {
    /// @notice Gas spent by `target.staticcall(data)`, the target account already warm; reverts with
    /// the call's own revert data if it fails.
    function gasOf(address target, bytes calldata data) external view returns (uint256 used) {
        bytes memory input = data; // copied before measuring: the caller's copy is not the callee's cost
        // A consumer reading a feed on every call has usually touched it before; cold is +2,500.
        uint256 warm = target.code.length;
        uint256 before = gasleft();
        (bool ok, bytes memory result) = target.staticcall(input);
        used = before - gasleft();
        if (!ok || warm == 0) {
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
