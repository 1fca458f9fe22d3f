// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice One step of a Merkle-sum inclusion proof: the sibling node's hash and sum.
struct ProofStep {
    bytes32 hash;
    uint256 sum;
}

/// @title MerkleSumProof
/// @notice Verification side of the por-registry liabilities tree (docs/liabilities-tree.md).
/// Every node binds both children's hashes and both children's sums, so a custodian cannot lower
/// the total without changing the root, and sums are checked additions so no balance can wrap.
library MerkleSumProof {
    /// @notice A proof step's sum added to the running sum exceeds 2^256 - 1.
    /// @param runningSum The sum folded so far.
    /// @param stepSum The sibling sum that overflowed it.
    error MerkleSumOverflow(uint256 runningSum, uint256 stepSum);

    /// @notice Hides an account id behind a per-account salt.
    function accountCommitment(bytes32 salt, string memory accountId) internal pure returns (bytes32) {
        return keccak256(abi.encode(salt, keccak256(bytes(accountId))));
    }

    /// @notice Leaf hash of a committed balance. Double hashing keeps leaves (32+32 bytes preimage)
    /// distinct from inner nodes (128 bytes), so a node cannot pass for a leaf.
    function leafHash(bytes32 commitment, uint256 balance) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(commitment, balance))));
    }

    /// @notice Parent of two nodes, children ordered by hash so proofs need no direction bits.
    /// Reverts with MerkleSumOverflow if the sums overflow.
    function nodeHash(
        bytes32 hashA,
        uint256 sumA,
        bytes32 hashB,
        uint256 sumB
    ) internal pure returns (bytes32 hash, uint256 sum) {
        bool overflowed;
        (overflowed, hash, sum) = _tryNode(hashA, sumA, hashB, sumB);
        if (overflowed) revert MerkleSumOverflow(sumA, sumB);
    }

    /// @notice Folds `proof` from a leaf up to the root it implies. Reverts with MerkleSumOverflow
    /// if any sum overflows (such a proof is forged: no valid tree has one).
    function processProof(
        bytes32 leaf,
        uint256 balance,
        ProofStep[] memory proof
    ) internal pure returns (bytes32 root, uint256 total) {
        (root, total) = (leaf, balance);
        for (uint256 i = 0; i < proof.length; ++i) {
            (root, total) = nodeHash(root, total, proof[i].hash, proof[i].sum);
        }
    }

    /// @notice Like processProof but reports an overflow instead of reverting, for callers that
    /// answer yes/no. On overflow, `total` is the running sum before the offending step.
    function tryProcessProof(
        bytes32 leaf,
        uint256 balance,
        ProofStep[] memory proof
    ) internal pure returns (bool overflowed, bytes32 root, uint256 total) {
        root = leaf;
        total = balance;
        for (uint256 i = 0; i < proof.length; ++i) {
            (bool stepOverflowed, bytes32 parent, uint256 parentSum) = _tryNode(
                root,
                total,
                proof[i].hash,
                proof[i].sum
            );
            if (stepOverflowed) return (true, root, total);
            (root, total) = (parent, parentSum);
        }
    }

    /// @notice True iff `proof` takes the leaf of (`commitment`, `balance`) to `root` with sum `total`.
    function verify(
        bytes32 root,
        uint256 total,
        bytes32 commitment,
        uint256 balance,
        ProofStep[] memory proof
    ) internal pure returns (bool) {
        (bool overflowed, bytes32 computedRoot, uint256 computedTotal) = tryProcessProof(
            leafHash(commitment, balance),
            balance,
            proof
        );
        return !overflowed && computedRoot == root && computedTotal == total;
    }

    /// @notice verify for a proof in calldata, folded in place: no copy of the proof to memory and no
    /// allocation per step, about a sixth of verify's gas per step. Same rules, same answers.
    function verifyCalldata(
        bytes32 root,
        uint256 total,
        bytes32 commitment,
        uint256 balance,
        ProofStep[] calldata proof
    ) internal pure returns (bool) {
        bytes32 node = leafHash(commitment, balance);
        uint256 sum = balance;
        bool overflowed;
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Scratch space past the free memory pointer: written and hashed, never kept.
            let buffer := mload(0x40)
            let end := add(proof.offset, shl(6, proof.length))
            for {
                let step := proof.offset
            } lt(step, end) {
                step := add(step, 0x40)
            } {
                let siblingHash := calldataload(step)
                let siblingSum := calldataload(add(step, 0x20))
                let parentSum := add(sum, siblingSum)
                if lt(parentSum, sum) {
                    overflowed := 1
                    break
                }
                // Children ordered by hash, the running node first on a tie (as _tryNode).
                switch gt(node, siblingHash)
                case 0 {
                    mstore(buffer, node)
                    mstore(add(buffer, 0x20), sum)
                    mstore(add(buffer, 0x40), siblingHash)
                    mstore(add(buffer, 0x60), siblingSum)
                }
                default {
                    mstore(buffer, siblingHash)
                    mstore(add(buffer, 0x20), siblingSum)
                    mstore(add(buffer, 0x40), node)
                    mstore(add(buffer, 0x60), sum)
                }
                node := keccak256(buffer, 0x80)
                sum := parentSum
            }
        }
        return !overflowed && node == root && sum == total;
    }

    function _tryNode(
        bytes32 hashA,
        uint256 sumA,
        bytes32 hashB,
        uint256 sumB
    ) private pure returns (bool overflowed, bytes32 hash, uint256 sum) {
        // unchecked: the wrap is detected right below and reported instead of used.
        unchecked {
            sum = sumA + sumB;
        }
        if (sum < sumA) return (true, bytes32(0), 0);
        hash =
            hashA <= hashB
                ? keccak256(abi.encode(hashA, sumA, hashB, sumB))
                : keccak256(abi.encode(hashB, sumB, hashA, sumA));
    }
}
