// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IReserveRegistry} from "../interfaces/IReserveRegistry.sol";
import {ReserveGuard} from "../libraries/ReserveGuard.sol";

/// @title GuardedLendingPool
/// @notice Test-only lending pool that accepts a reserve-backed token as collateral and checks its
/// backing inline, with ReserveGuard.requireBacked, at the two points where trusting the token
/// matters: taking it in (`deposit`) and lending against it (`borrow`). Withdrawing is never gated, so
/// users can always exit a depegging token. The pool lends nothing real; it records debt 1:1 against
/// collateral, which is all a test of the guard needs.
contract GuardedLendingPool {
    using SafeERC20 for IERC20;

    /// @notice The reserve-backed token accepted as collateral.
    IERC20 public immutable collateralToken;

    /// @notice The registry holding the collateral's reserve subject.
    IReserveRegistry public immutable registry;

    /// @notice The registry subject whose reserves back `collateralToken`.
    bytes32 public immutable subjectId;

    /// @notice Lowest acceptable collateralization ratio (1e18 = reserves equal supply).
    uint256 public immutable minRatioWad;

    /// @notice Oldest acceptable reserve data, in seconds.
    uint256 public immutable maxAgeSeconds;

    /// @notice Collateral deposited per account, in the token's smallest unit.
    mapping(address account => uint256) public collateralOf;

    /// @notice Debt per account, in the token's smallest unit.
    mapping(address account => uint256) public debtOf;

    /// @notice `account`'s debt would become `debtAfter`, above its `collateral`.
    /// @param account The borrower or withdrawer.
    /// @param debtAfter The account's debt after the operation.
    /// @param collateral The account's collateral after the operation.
    error InsufficientCollateral(address account, uint256 debtAfter, uint256 collateral);

    /// @notice `account` deposited `amount` of collateral.
    event Deposited(address indexed account, uint256 amount);

    /// @notice `account` withdrew `amount` of collateral.
    event Withdrawn(address indexed account, uint256 amount);

    /// @notice `account` borrowed `amount`.
    event Borrowed(address indexed account, uint256 amount);

    /// @param collateralToken_ The reserve-backed token accepted as collateral.
    /// @param registry_ The registry holding the collateral's reserve subject.
    /// @param subjectId_ The registry subject whose reserves back the collateral.
    /// @param minRatioWad_ Lowest acceptable collateralization ratio.
    /// @param maxAgeSeconds_ Oldest acceptable reserve data, in seconds.
    constructor(
        IERC20 collateralToken_,
        IReserveRegistry registry_,
        bytes32 subjectId_,
        uint256 minRatioWad_,
        uint256 maxAgeSeconds_
    ) {
        collateralToken = collateralToken_;
        registry = registry_;
        subjectId = subjectId_;
        minRatioWad = minRatioWad_;
        maxAgeSeconds = maxAgeSeconds_;
    }

    /// @notice Takes `amount` of collateral from the caller (who approved the pool), only while
    /// the token is backed. Reverts with ReserveGuard's Undercollateralized or ReservesTooOld.
    /// @param amount Amount in the token's smallest unit.
    function deposit(uint256 amount) external {
        _requireBacked();
        collateralOf[msg.sender] += amount;
        emit Deposited(msg.sender, amount);
        collateralToken.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @notice Records a borrow of `amount` against the caller's collateral, only while the token
    /// is backed. Reverts with ReserveGuard's errors or InsufficientCollateral.
    /// @param amount Amount in the token's smallest unit.
    function borrow(uint256 amount) external {
        _requireBacked();
        uint256 debtAfter = debtOf[msg.sender] + amount;
        uint256 collateral = collateralOf[msg.sender];
        if (debtAfter > collateral) revert InsufficientCollateral(msg.sender, debtAfter, collateral);
        debtOf[msg.sender] = debtAfter;
        emit Borrowed(msg.sender, amount);
    }

    /// @notice Returns `amount` of the caller's collateral while its debt stays covered. Not gated
    /// on backing: an exit must stay open when the token loses it.
    /// @param amount Amount in the token's smallest unit.
    function withdraw(uint256 amount) external {
        uint256 collateral = collateralOf[msg.sender];
        uint256 debt = debtOf[msg.sender];
        if (amount > collateral || debt > collateral - amount) {
            revert InsufficientCollateral(msg.sender, debt, amount > collateral ? 0 : collateral - amount);
        }
        collateralOf[msg.sender] = collateral - amount;
        emit Withdrawn(msg.sender, amount);
        collateralToken.safeTransfer(msg.sender, amount);
    }

    /// @dev The backing check of `deposit` and `borrow`; L2GuardedLendingPool adds the sequencer.
    function _requireBacked() internal view virtual {
        ReserveGuard.requireBacked(registry, subjectId, minRatioWad, maxAgeSeconds);
    }
}
