// Shared by the Node tests: the vendored libsodium and the ballot module, loaded from the tree.
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const STATIC = new URL("../../src/bastau/static/", import.meta.url);

export async function load() {
  const { default: sodium } = await import(new URL("vendor/libsodium-sumo-0.8.4/libsodium-wrappers.mjs", STATIC));
  await sodium.ready;
  const { bastauE2E } = await import(new URL("bastau/e2e/ballot.js", STATIC));
  return { sodium, e2e: bastauE2E(sodium) };
}

export function hex(b) {
  return Buffer.from(b).toString("hex");
}

export function unhex(h) {
  return new Uint8Array(Buffer.from(h, "hex"));
}
