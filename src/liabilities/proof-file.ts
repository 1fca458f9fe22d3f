import { readJsonFile } from "../node/files";
import { parseProofPackage, type LiabilityProofPackage } from "./proof";

/** Reads and validates a proof package file. */
export async function readProofPackage(file: string): Promise<LiabilityProofPackage> {
  return parseProofPackage(await readJsonFile(file), file);
}
