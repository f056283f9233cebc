/** The video ratios Runway gen4_turbo accepts, with the names creators know them by. */
export const RATIOS = [
  { value: '1280:720', label: 'Landscape 16:9', width: 1280, height: 720 },
  { value: '720:1280', label: 'Portrait 9:16', width: 720, height: 1280 },
  { value: '960:960', label: 'Square 1:1', width: 960, height: 960 },
  { value: '1104:832', label: 'Landscape 4:3', width: 1104, height: 832 },
  { value: '832:1104', label: 'Portrait 3:4', width: 832, height: 1104 },
  { value: '1584:672', label: 'Cinematic 21:9', width: 1584, height: 672 },
] as const;

export type Ratio = (typeof RATIOS)[number];
export type RatioValue = Ratio['value'];

export function findRatio(value: unknown): Ratio | undefined {
  return RATIOS.find((r) => r.value === value);
}

export function ratioOrDefault(value: unknown, fallback: string): Ratio {
  return findRatio(value) ?? findRatio(fallback) ?? RATIOS[0];
}
