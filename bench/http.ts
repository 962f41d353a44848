/**
 * Scenario 5: the same sale through a real adapter against a loopback fake gateway, through the
 * router vs calling the adapter directly: the router's added time in µs and percent.
 */
export async function httpOverheadBench(_timeMs: number): Promise<{ adapter: string; directP50us: number; routerP50us: number; addedUsP50: number; addedPercentP50: number } | null> {
  return null;
}
