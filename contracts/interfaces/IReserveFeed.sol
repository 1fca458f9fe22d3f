// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {AggregatorV2V3Interface} from "./AggregatorV2V3Interface.sol";
import {ISubjectView} from "./ISubjectView.sol";

/// @title IReserveFeed
/// @notice A registry subject's reserves as a Chainlink feed (AggregatorV3 and the older
/// AggregatorInterface getters), in the subject's decimals, which are its token's: the reserves
/// that collateralization() uses, so a consumer comparing the answer with `totalSupply()` in raw
/// units (Aave's Proof-of-Reserve, secure mint) compares like with like.
///
/// - Attested reserves: roundId = the registry round, answer = its reserves, startedAt = updatedAt =
///   its snapshot time `asOf` (not the posting time, so staleness checks measure the data's age).
/// - Live reserves (the subject has had a reserve wallet): answer = the wallets' balances now (0 while
///   the reserve asset is revoked), startedAt = updatedAt = block.timestamp, roundId =
///   FeedRounds.live(), an id that names the current block and is answered in that block only.
///
/// answeredInRound = roundId. Never reverts: where no answer exists (before the first round, an
/// unknown or past live round id, a reading that cannot be represented) every field is 0 except that
/// getRoundData echoes the requested id, as Chainlink's OCR aggregators do; answers above int256's
/// range saturate at type(int256).max. An attested round id keeps its answer forever, so a round id
/// never answers two different values in different blocks (its updatedAt changes once, to 0, if the
/// round is disputed: IReserveRegistry.isDisputed). Consumers must still check `answer > 0`
/// and `updatedAt` against their own heartbeat.
interface IReserveFeed is AggregatorV2V3Interface, ISubjectView {}
