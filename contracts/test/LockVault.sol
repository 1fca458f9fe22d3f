// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @title LockVault
/// @notice Test-only lock side of a lock-and-mint bridge: users lock the original token here and a
/// relayer mints the wrapped token on another chain. The vault's balance is what backs the wrapped supply.
contract LockVault {
    using SafeERC20 for IERC20;

    /// @notice The original token locked here.
    IERC20 public immutable token;

    /// @notice `account` locked `amount` for `recipient` on the other chain.
    event Locked(address indexed account, address indexed recipient, uint256 amount);

    constructor(IERC20 token_) {
        token = token_;
    }

    /// @notice Locks `amount` of the caller's tokens for `recipient` on the other chain.
    function lock(address recipient, uint256 amount) external {
        token.safeTransferFrom(msg.sender, address(this), amount);
        emit Locked(msg.sender, recipient, amount);
    }
}
