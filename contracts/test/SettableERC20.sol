// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title SettableERC20
/// @notice Test-only token whose balances, total supply and decimals are set directly, to reach
/// states a well-behaved ERC20 never reaches: balances summing past 2^256, supplies that cannot be
/// normalized, decimals that change after a subject named the token.
contract SettableERC20 {
    mapping(address account => uint256) public balanceOf;
    uint256 public totalSupply;
    uint8 public decimals;

    /// @param decimals_ Initial decimals.
    constructor(uint8 decimals_) {
        decimals = decimals_;
    }

    /// @notice Sets `account`'s balance to `amount` without touching the total supply.
    function setBalance(address account, uint256 amount) external {
        balanceOf[account] = amount;
    }

    /// @notice Sets the total supply to `amount`.
    function setTotalSupply(uint256 amount) external {
        totalSupply = amount;
    }

    /// @notice Sets the decimals to `decimals_`.
    function setDecimals(uint8 decimals_) external {
        decimals = decimals_;
    }
}
