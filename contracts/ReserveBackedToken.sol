// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {AggregatorV3Interface} from "./interfaces/AggregatorV3Interface.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {SecureMint} from "./SecureMint.sol";

/// @title ReserveBackedToken
/// @notice An ERC20 (stablecoin, wrapped asset) that can only be minted while fresh reserves in the
/// registry cover the supply after the mint. Register the registry subject with `token` = this
/// contract so the registry reads its supply. On a rollup, pass Chainlink's L2 sequencer uptime feed
/// and a grace period: minting then also waits for the sequencer (see SecureMint); burning never does.
contract ReserveBackedToken is ERC20, AccessControl, SecureMint {
    /// @notice Role allowed to mint (an issuer's treasury, a bridge).
    bytes32 public constant MINTER_ROLE = keccak256("MINTER_ROLE");

    uint8 private immutable _decimals;

    /// @param name_ ERC20 name.
    /// @param symbol_ ERC20 symbol.
    /// @param decimals_ ERC20 decimals.
    /// @param registry The registry holding the token's reserve subject.
    /// @param subjectId The registry subject whose reserves back the token.
    /// @param admin Receives DEFAULT_ADMIN_ROLE (grants MINTER_ROLE).
    /// @param sequencerUptimeFeed_ Chainlink's L2 sequencer uptime feed; the zero address for none (L1).
    /// @param sequencerGracePeriodSeconds_ Grace period after the sequencer comes back up, in seconds.
    constructor(
        string memory name_,
        string memory symbol_,
        uint8 decimals_,
        IReserveRegistry registry,
        bytes32 subjectId,
        address admin,
        AggregatorV3Interface sequencerUptimeFeed_,
        uint256 sequencerGracePeriodSeconds_
    )
        ERC20(name_, symbol_)
        SecureMint(registry, subjectId, sequencerUptimeFeed_, sequencerGracePeriodSeconds_)
    {
        _decimals = decimals_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Mints `amount` to `to`. Reverts with InsufficientReserves or StaleReserves, NotSubjectToken
    /// if the subject does not name this token, DecimalScalingOverflow for a supply beyond any reserve,
    /// and, with a sequencer uptime feed, SequencerDown, GracePeriodNotOver or SequencerStatusUnknown.
    function mint(address to, uint256 amount) external onlyRole(MINTER_ROLE) {
        // A supply past 2^256 is refused by the reserve check (a custom error), not by a Panic.
        (bool fits, uint256 supplyAfterMint) = Math.tryAdd(totalSupply(), amount);
        _requireReservesCover(fits ? supplyAfterMint : type(uint256).max, _decimals);
        _mint(to, amount);
    }

    /// @notice Burns `amount` of the caller's tokens (redemption, bridge exit). Never gated on reserves
    /// or the sequencer: an exit stays open.
    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }
}
