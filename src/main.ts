// Placeholder until the modes land; replaced by the real wiring.
export async function run(): Promise<void> {}
