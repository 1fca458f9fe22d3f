// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {MerkleSumProof, ProofStep} from "../libraries/MerkleSumProof.sol";

/// @title MerkleSumProofHarness
/// @notice Test-only: exposes MerkleSumProof's internal functions so tests can call them directly.
contract MerkleSumProofHarness {
    function accountCommitment(bytes32 salt, string calldata accountId) external pure returns (bytes32) {
        return MerkleSumProof.accountCommitment(salt, accountId);
    }

    function leafHash(bytes32 commitment, uint256 balance) external pure returns (bytes32) {
        return MerkleSumProof.leafHash(commitment, balance);
    }

    function nodeHash(
        bytes32 hashA,
        uint256 sumA,
        bytes32 hashB,
        uint256 sumB
    ) external pure returns (bytes32 hash, uint256 sum) {
        return MerkleSumProof.nodeHash(hashA, sumA, hashB, sumB);
    }

    function processProof(
        bytes32 leaf,
        uint256 balance,
        ProofStep[] calldata proof
    ) external pure returns (bytes32 root, uint256 total) {
        return MerkleSumProof.processProof(leaf, balance, proof);
    }

    function tryProcessProof(
        bytes32 leaf,
        uint256 balance,
        ProofStep[] calldata proof
    ) external pure returns (bool overflowed, bytes32 root, uint256 total) {
        return MerkleSumProof.tryProcessProof(leaf, balance, proof);
    }

    function verify(
        bytes32 root,
        uint256 total,
        bytes32 commitment,
        uint256 balance,
        ProofStep[] calldata proof
    ) external pure returns (bool) {
        return MerkleSumProof.verify(root, total, commitment, balance, proof);
    }

    function verifyCalldata(
        bytes32 root,
        uint256 total,
        bytes32 commitment,
        uint256 balance,
        ProofStep[] calldata proof
    ) external pure returns (bool) {
        return MerkleSumProof.verifyCalldata(root, total, commitment, balance, proof);
    }
}
