// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {DecimalScaling} from "./libraries/DecimalScaling.sol";

/// @title SecureMint
/// @notice Reserve check for tokens whose supply must stay covered by a registry subject's reserves
/// (the "secure mint" pattern). Inherit it and call `_requireReservesCover(totalSupply() + amount)`
/// before minting; ReserveBackedToken is the ready-made ERC20.
abstract contract SecureMint {
    /// @notice Supply after the mint, `supplyAfterMintWad`, would exceed `reservesWad` (both 18 decimals).
    error InsufficientReserves(uint256 supplyAfterMintWad, uint256 reservesWad);

    /// @notice The reserves come from an attestation older than the subject's heartbeat (or none).
    error StaleReserves(bytes32 subjectId);

    /// @notice The registry holding this token's reserve subject.
    IReserveRegistry public immutable reserveRegistry;

    /// @notice The registry subject whose reserves back this token.
    bytes32 public immutable reserveSubjectId;

    constructor(IReserveRegistry registry, bytes32 subjectId) {
        reserveRegistry = registry;
        reserveSubjectId = subjectId;
    }

    /// @dev Reverts unless fresh reserves cover `supplyAfterMint` (in `tokenDecimals`). Reserves
    /// equal to supply pass: full backing is the requirement, not over-backing. Live reserves (the
    /// subject has reserve wallets) are always fresh; only attested reserves can be stale. The
    /// registry's `fresh` flag also covers the liabilities side, which a mint does not read, so it
    /// alone would refuse a mint against live reserves when the subject names no token.
    function _requireReservesCover(uint256 supplyAfterMint, uint8 tokenDecimals) internal view {
        (uint256 reservesWad, , , bool fresh) = reserveRegistry.collateralization(reserveSubjectId);
        if (!fresh && reserveRegistry.reserveWallets(reserveSubjectId).length == 0) {
            revert StaleReserves(reserveSubjectId);
        }
        uint256 supplyAfterMintWad = DecimalScaling.toWad(supplyAfterMint, tokenDecimals);
        if (supplyAfterMintWad > reservesWad) revert InsufficientReserves(supplyAfterMintWad, reservesWad);
    }
}
