// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @title ERC1271Wallet
/// @notice Test-only contract wallet with one owner EOA, standing in for a multisig auditor. A
/// signature is valid for a hash iff it is the owner's ECDSA (low-s) signature of that hash.
contract ERC1271Wallet is IERC1271 {
    /// @notice The EOA whose signatures this wallet accepts.
    address public immutable owner;

    /// @notice The zero address cannot own the wallet (every malformed signature recovers to it).
    error InvalidOwner();

    /// @param owner_ The EOA whose signatures this wallet accepts.
    constructor(address owner_) {
        if (owner_ == address(0)) revert InvalidOwner();
        owner = owner_;
    }

    /// @notice ERC-1271: the magic value iff `signature` is the owner's signature of `hash`.
    /// @param hash The signed digest.
    /// @param signature A 65-byte (or 64-byte compact) ECDSA signature.
    /// @return magicValue `IERC1271.isValidSignature.selector` if valid, else `0xffffffff`.
    function isValidSignature(
        bytes32 hash,
        bytes calldata signature
    ) external view returns (bytes4 magicValue) {
        (address recovered, ECDSA.RecoverError err, ) = ECDSA.tryRecoverCalldata(hash, signature);
        if (err == ECDSA.RecoverError.NoError && recovered == owner) {
            return IERC1271.isValidSignature.selector;
        }
        return 0xffffffff;
    }
}
