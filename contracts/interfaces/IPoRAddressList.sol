// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;

/// @notice Chainlink's Proof-of-Reserve address-list shape, read by existing PoR tooling (external
/// adapters that sum wallet balances). Declared here so that tooling works against por-registry.
interface IPoRAddressList {
    /// @notice Number of addresses in the list.
    function getPoRAddressListLength() external view returns (uint256);

    /// @notice Addresses `startIndex` through `endIndex` inclusive, as checksummed 0x strings.
    /// `endIndex` is clamped to the last index; an empty list or a start past the end gives [].
    function getPoRAddressList(uint256 startIndex, uint256 endIndex) external view returns (string[] memory);
}
