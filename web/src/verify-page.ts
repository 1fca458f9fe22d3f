import { parseProofPackage, verifyProofPackage } from "../../src/liabilities/proof";
import { abi } from "../../artifacts/contracts/ReserveRegistry.sol/ReserveRegistry.json";
(window as unknown as { por: unknown }).por = { parseProofPackage, verifyProofPackage, n: abi.length };
