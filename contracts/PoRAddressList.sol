// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {IPoRAddressList} from "./interfaces/IPoRAddressList.sol";
import {IReserveRegistry} from "./interfaces/IReserveRegistry.sol";
import {SubjectView} from "./SubjectView.sol";

/// @title PoRAddressList
/// @notice One registry subject's reserve wallets in Chainlink's IPoRAddressList shape. Reads the
/// registry live, so it lists exactly the wallets whose control was proven there, and none while
/// the subject's reserve asset is revoked: tooling that sums the listed balances must then count
/// nothing, as the registry does.
contract PoRAddressList is IPoRAddressList, SubjectView {
    constructor(IReserveRegistry registry_, bytes32 subjectId_) SubjectView(registry_, subjectId_) {}

    /// @inheritdoc IPoRAddressList
    function getPoRAddressListLength() external view returns (uint256) {
        return _countedWallets().length;
    }

    /// @inheritdoc IPoRAddressList
    function getPoRAddressList(
        uint256 startIndex,
        uint256 endIndex
    ) external view returns (string[] memory list) {
        address[] memory wallets = _countedWallets();
        if (startIndex >= wallets.length || startIndex > endIndex) return new string[](0);
        uint256 last = endIndex < wallets.length ? endIndex : wallets.length - 1;
        list = new string[](last - startIndex + 1);
        for (uint256 i = 0; i < list.length; ++i) {
            list[i] = Strings.toChecksumHexString(wallets[startIndex + i]);
        }
    }

    /// @dev The wallets whose balances count as reserves: none while the reserve asset is revoked.
    function _countedWallets() private view returns (address[] memory) {
        (IReserveRegistry.SubjectConfig memory config, ) = registry.subject(subjectId);
        if (!registry.isApprovedReserveAsset(config.reserveAsset)) return new address[](0);
        return registry.reserveWallets(subjectId);
    }
}
